// The routing pipeline, end to end on private redis-servers: change events on a source stream are routed by
// rules written as Polars expressions to destinations A, B and analytics. Destination B goes dark for a while
// in the middle of the run; the others keep flowing, B catches up, and at the end every destination is checked
// against the same rules computed with Polars over the whole source. Exits non-zero if anything is off.
import { type Command, connect, type RedisConnection } from "@polars-redis/core";
import {
  createRouter,
  type RouterEvent,
  type RouterStats,
  readStream,
  type StreamRouter,
} from "@polars-redis/streams";
import { createFaultProxy, generateChangeEvents, startRedis } from "@polars-redis/testkit";
import { redisHashSink } from "@polars-redis/writer";
import { bar, formatCount, Progress } from "./progress.js";
import { RULES, SOURCE_SCHEMA, withDestinationKey } from "./rules.js";
import { checkDestination, type DestinationCheck } from "./verify.js";

const EVENTS = Number(process.env.DEMO_EVENTS ?? 150_000);
const OUTAGE_MS = Number(process.env.DEMO_OUTAGE_MS ?? 3000);
const DEADLINE_MS = Number(process.env.DEMO_DEADLINE_MS ?? 180_000);
const STREAM = "changes";
const GROUP = "routing";

const progress = new Progress();
const startedAt = Date.now();
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

console.log(
  `polars-redis routing pipeline: ${formatCount(EVENTS)} change events, source -> A | B | analytics\n`,
);

await using source = await startRedis();
await using serverA = await startRedis();
await using serverB = await startRedis();
await using serverAnalytics = await startRedis();
await using proxyB = await createFaultProxy({ target: serverB.url });
console.log(`source     ${source.url}`);
console.log(`A          ${serverA.url}`);
console.log(`B          ${serverB.url} (through a fault proxy at ${proxyB.url})`);
console.log(`analytics  ${serverAnalytics.url}\n`);
for (const rule of RULES) console.log(`rule ${rule.name.padEnd(9)} ${rule.description}`);
console.log("");

const opened: RedisConnection[] = [];
const open = async (url: string, commandTimeoutMs = 5000) => {
  const conn = await connect(url, { commandTimeoutMs });
  opened.push(conn);
  return conn;
};
let exitCode = 0;
let router: StreamRouter | undefined;
let running: Promise<unknown> | undefined;
let producing: Promise<void> | undefined;
try {
  const sourceConn = await open(source.url);
  const destinations: Record<string, RedisConnection> = {
    A: await open(serverA.url),
    // A short command timeout makes B's silence show up as failed writes within a second.
    B: await open(proxyB.url, 1000),
    analytics: await open(serverAnalytics.url),
  };

  let outageStartedAt: number | undefined;
  let outageEndedAt: number | undefined;
  let pendingAtOutageEnd = 0;
  let waitingForB = 0;
  let firstRetryNoted = false;
  const onEvent = (event: RouterEvent) => {
    if (event.type === "route-retry" && event.route === "B" && !firstRetryNoted) {
      firstRetryNoted = true;
      progress.note(
        `   B: write failed (${errorText(event.error)}); retrying with backoff, B's entries stay pending`,
      );
    } else if (event.type === "route-recovered") {
      progress.note(
        `   ${event.route}: writing again after ${event.failedAttempts} failed attempts (${seconds(event.downMs)})`,
      );
    } else if (
      event.type === "entries-lost" ||
      event.type === "entries-dead-lettered" ||
      event.type === "stream-gap"
    ) {
      progress.note(`   ! ${event.type}: ${JSON.stringify(event).slice(0, 200)}`);
    }
  };
  router = createRouter({
    source: {
      connection: sourceConn,
      stream: STREAM,
      group: GROUP,
      consumer: "router-1",
      batchSize: 1000,
      blockMs: 100,
      schema: SOURCE_SCHEMA,
    },
    routes: RULES.map((rule) => ({
      name: rule.name,
      filter: rule.filter,
      transform: withDestinationKey(rule),
      sink: redisHashSink(destinations[rule.name]!, { name: `redis ${rule.name}` }),
    })),
    retry: { initialDelayMs: 100, maxDelayMs: 1000 },
    onEvent,
  });
  running = router.run();
  let interrupted = false;
  const interrupt = () => {
    interrupted = true;
  };
  process.once("SIGINT", interrupt);
  process.once("SIGTERM", interrupt);

  // The scenario: change events appended as they "happen" (pipelined chunks). Once the first 30 % are routed,
  // B goes silent while the rest keep coming; OUTAGE_MS later it is reachable again.
  const events = generateChangeEvents({ count: EVENTS, seed: 42 });
  let produced = 0;
  const produce = async (from: number, to: number): Promise<void> => {
    for (let start = from; start < to; start += 5000) {
      const commands: Command[] = [];
      for (let i = start; i < Math.min(to, start + 5000); i++) {
        commands.push(["XADD", STREAM, events.entryIds[i]!, ...events.fieldsOf(i)]);
      }
      const replies = await sourceConn.batch(commands);
      const failed = replies.find((reply) => reply instanceof Error);
      if (failed) throw failed;
      produced += commands.length;
    }
  };
  const activeRouter = router;
  producing = (async () => {
    const firstPart = Math.floor(EVENTS * 0.3);
    await produce(0, firstPart);
    while (activeRouter.stats.source.acked < firstPart && !interrupted) await sleep(20);
    const outage = proxyB.blackhole({ direction: "both" });
    outageStartedAt = Date.now();
    progress.note(`>> outage: destination B goes silent (network blackhole) for ${seconds(OUTAGE_MS)}`);
    await produce(firstPart, EVENTS);
    await sleep(OUTAGE_MS - (Date.now() - outageStartedAt));
    // On a busy machine B may not have tried a write yet: keep it silent until it has failed once (the point
    // of the scenario), at most a minute.
    while (!firstRetryNoted && !interrupted && Date.now() - outageStartedAt < 60_000) await sleep(50);
    pendingAtOutageEnd = Number(((await sourceConn.call("XPENDING", STREAM, GROUP)) as [number])[0]);
    waitingForB = activeRouter.stats.routes.B!.queued;
    await outage.remove();
    outageEndedAt = Date.now();
    progress.note(">> outage over: B reachable again; it catches up on what it missed");
  })();
  let scenarioDone = false;
  void producing.then(
    () => {
      scenarioDone = true;
    },
    () => {},
  );

  // Live progress until every event is routed and acknowledged.
  let lastAcked = 0;
  let lastAt = Date.now();
  let rate = 0;
  for (;;) {
    await sleep(200);
    await Promise.race([producing, sleep(0)]); // surface a failed producer at once
    const stats = router.stats;
    const acked = stats.source.acked;
    const now = Date.now();
    rate =
      rate === 0
        ? ((acked - lastAcked) * 1000) / (now - lastAt)
        : 0.7 * rate + (0.3 * (acked - lastAcked) * 1000) / (now - lastAt);
    lastAcked = acked;
    lastAt = now;
    const routes = RULES.map((rule) => {
      const route = stats.routes[rule.name]!;
      return `${rule.name} ${route.state === "healthy" ? "ok" : `RETRYING (${formatCount(route.queued)} waiting)`}`;
    }).join("  ");
    progress.update(
      `${bar(acked / EVENTS)} ${((acked / EVENTS) * 100).toFixed(0).padStart(3)}%  ${formatCount(acked)}/${formatCount(EVENTS)} acked  ${formatCount(rate)}/s  | ${routes}`,
    );
    if (scenarioDone && produced === EVENTS && acked === EVENTS) break;
    if (interrupted) throw new Error("interrupted");
    if (Date.now() - startedAt > DEADLINE_MS) throw new Error(`not done after ${seconds(DEADLINE_MS)}`);
  }
  progress.done();
  router.stop();
  const stats = (await running) as RouterStats;
  await producing;
  const routingMs = Date.now() - startedAt;

  // The check: the same rules, computed with Polars over the whole source, against each destination.
  const sourceFrame = await readStream(sourceConn, { stream: STREAM });
  const checks: DestinationCheck[] = [];
  for (const rule of RULES) {
    checks.push(
      await checkDestination(
        await open(urlOf(rule.name, serverA.url, serverB.url, serverAnalytics.url)),
        sourceFrame,
        rule,
      ),
    );
  }
  const pending = Number(((await sourceConn.call("XPENDING", STREAM, GROUP)) as [number])[0]);
  const deadLetters = Number(await sourceConn.call("XLEN", `${STREAM}:dead-letter`));

  console.log("");
  console.log(table(checks));
  console.log("");
  console.log(
    `source: ${formatCount(sourceFrame.height)} entries, ${formatCount(stats.source.acked)} acknowledged, ${pending} pending, ${deadLetters} dead-lettered, ${stats.source.lost} lost`,
  );
  const b = stats.routes.B!;
  console.log(
    `outage of B: ${outageEndedAt && outageStartedAt ? seconds(outageEndedAt - outageStartedAt) : "none"}, ${b.failedAttempts} failed write attempts; when it ended ${formatCount(pendingAtOutageEnd)} source entries were still unacknowledged (${formatCount(waitingForB)} waiting for B)`,
  );
  console.log(
    `routed in ${seconds(routingMs)} (${formatCount((EVENTS * 1000) / routingMs)} events/s end to end, outage included)`,
  );

  const ok =
    checks.every((check) => check.ok) && pending === 0 && deadLetters === 0 && stats.source.acked >= EVENTS;
  if (ok) {
    console.log("\nrouting-pipeline: OK");
  } else {
    console.error("\nrouting-pipeline: MISMATCH (see the table above)");
    exitCode = 1;
  }
} catch (error) {
  progress.done();
  process.exitCode = 1;
  console.error(
    `routing-pipeline: FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  exitCode = 1;
} finally {
  router?.stop();
  await running?.catch(() => {});
  await producing?.catch(() => {});
  for (const conn of opened) await conn.close();
}
process.exitCode = exitCode;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

function urlOf(name: string, a: string, b: string, analytics: string): string {
  return name === "A" ? a : name === "B" ? b : analytics;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 80) : String(error).slice(0, 80);
}

function table(checks: readonly DestinationCheck[]): string {
  const header = [
    "destination",
    "rule",
    "expected (Polars over source)",
    "in destination",
    "identical",
    "check",
  ];
  const rows = checks.map((check) => [
    check.rule.name,
    check.rule.description,
    formatCount(check.expected),
    formatCount(check.stored),
    formatCount(check.identical),
    check.ok ? "OK" : "MISMATCH",
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i >= 2 && i <= 4 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)]
    .map((text) => text.trimEnd())
    .join("\n");
}
