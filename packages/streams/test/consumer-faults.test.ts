import { spawn } from "node:child_process";
import type { RedisConnection } from "@polars-redis/core";
import { createFaultProxy, waitFor } from "@polars-redis/testkit";
import { describe, expect, it } from "vitest";
import { type ConsumerEvent, createConsumer, type StreamConsumer } from "../src/index.js";
import { fixture } from "./fixtures/fixture-path.js";
import { usePerTestServers } from "./fixtures/per-test-servers.js";
import { fillStream } from "./fixtures/streams.js";

const { cleanups, server, connection } = usePerTestServers();

async function groupPending(conn: RedisConnection, stream: string, group: string): Promise<number> {
  return Number(((await conn.call("XPENDING", stream, group)) as [number])[0]);
}

/** sent = processed (distinct, acked) + dead-lettered + lost, with nothing unaccounted and nothing pending. */
async function expectAllAccounted(
  conn: RedisConnection,
  stream: string,
  group: string,
  sent: readonly string[],
  processed: ReadonlySet<string>,
  lost: ReadonlySet<string> = new Set(),
): Promise<void> {
  const dead = (await conn.call("XRANGE", `${stream}:dead-letter`, "-", "+")) as [string, string[]][];
  const deadIds = new Set(dead.map(([, fields]) => fields[fields.indexOf("source_id") + 1]!));
  const unaccounted = sent.filter((id) => !processed.has(id) && !deadIds.has(id) && !lost.has(id));
  expect(unaccounted).toEqual([]);
  expect(processed.size + deadIds.size + lost.size).toBe(sent.length);
  expect(await groupPending(conn, stream, group)).toBe(0);
}

describe("consumer under faults", () => {
  it("three consumers over 100k entries, one killed mid-batch: everything processed, its pending entries claimed", async () => {
    const source = await server();
    const conn = await connection(source.url);
    const sent = await fillStream(conn, "jobs", 100_000, (i) => ({ n: i }));
    await conn.call("XGROUP", "CREATE", "jobs", "workers", "0");

    const child = spawn(
      process.execPath,
      [fixture("consumer-child.mjs"), source.url, "jobs", "workers", "doomed"],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const exited = new Promise((resolve) => child.once("exit", resolve));
    cleanups.push(async () => {
      child.kill("SIGKILL");
      await exited;
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes("mid-batch")) resolve();
      });
      child.once("exit", (code) => reject(new Error(`child exited (${code}) before its third batch`)));
    });
    const live: StreamConsumer[] = ["alive-1", "alive-2"].map((name) =>
      createConsumer(conn, {
        stream: "jobs",
        group: "workers",
        consumer: name,
        batchSize: 500,
        blockMs: 100,
        claimIdleMs: 1000,
        claimIntervalMs: 200,
      }),
    );
    const runs = live.map((consumer) =>
      consumer.run(async (batch) => {
        await conn.call("SADD", "processed", ...batch.ids);
      }),
    );
    // The doomed consumer is in the middle of its third batch while the others start: kill it there.
    child.kill("SIGKILL");
    await exited;
    const deadPending = (await conn.call(
      "XPENDING",
      "jobs",
      "workers",
      "-",
      "+",
      10_000,
      "doomed",
    )) as unknown[];
    expect(deadPending.length).toBeGreaterThan(0);

    await waitFor(
      async () =>
        Number(await conn.call("SCARD", "processed")) === 100_000 &&
        (await groupPending(conn, "jobs", "workers")) === 0,
      { description: "all 100k processed and acknowledged", timeoutMs: 50_000 },
    );
    for (const consumer of live) consumer.stop();
    const stats = await Promise.all(runs);
    const processed = new Set((await conn.call("SMEMBERS", "processed")) as string[]);
    await expectAllAccounted(conn, "jobs", "workers", sent, processed);
    expect(stats[0]!.claimed + stats[1]!.claimed).toBeGreaterThanOrEqual(deadPending.length);
    expect(stats.reduce((sum, s) => sum + s.lost + s.deadLettered, 0)).toBe(0);
  });

  it("survives kill -9 and an AOF restart of the source server with nothing lost", async () => {
    const source = await server({ persistence: true });
    const conn = await connection(source.url, 2000);
    // Filled over a patient connection (AOF fsyncs every write; a busy machine); the consumer's is the short one.
    const filler = await connection(source.url, 30_000);
    const sent = await fillStream(filler, "orders", 20_000, (i) => ({ n: i }));
    const processed = new Set<string>();
    const events: ConsumerEvent[] = [];
    const consumer = createConsumer(conn, {
      stream: "orders",
      group: "g",
      consumer: "c1",
      batchSize: 200,
      blockMs: 100,
      claimIdleMs: 1000,
      retryBackoff: { initialMs: 50, maxMs: 500 },
      onEvent: (event) => events.push(event),
    });
    const run = consumer.run((batch) => {
      for (const id of batch.ids) processed.add(id);
    });
    await waitFor(() => processed.size >= 4000, { description: "consumption under way", timeoutMs: 30_000 });
    const processedAtKill = processed.size;
    const pidBefore = source.pid;
    await source.kill();
    await source.restart();
    await waitFor(
      async () =>
        processed.size === 20_000 && (await groupPending(conn, "orders", "g").catch(() => -1)) === 0,
      { description: "everything processed after the restart", timeoutMs: 60_000 },
    );
    consumer.stop();
    const stats = await run;
    await expectAllAccounted(conn, "orders", "g", sent, processed);
    // The crash hit mid-consumption (a quick restart may be ridden through without a single failed command).
    expect(processedAtKill).toBeLessThan(20_000);
    expect(source.pid).not.toBe(pidBefore);
    expect(stats.lost).toBe(0);
  });

  it("a blocking read that hangs silently is abandoned by the watchdog, and nothing is lost", async () => {
    const source = await server();
    const proxy = await createFaultProxy({ target: source.url });
    cleanups.push(() => proxy.close());
    const direct = await connection(source.url);
    const conn = await connection(proxy.url, 60_000);
    const processed = new Set<string>();
    // Claims off and checks rare: once caught up, the consumer does nothing but blocking reads.
    const consumer = createConsumer(conn, {
      stream: "quiet",
      group: "g",
      consumer: "c1",
      blockMs: 200,
      watchdogMs: 300,
      claimIdleMs: 0,
      checkIntervalMs: 600_000,
      retryBackoff: { initialMs: 20, maxMs: 100 },
    });
    const run = consumer.run((batch) => {
      for (const id of batch.ids) processed.add(id);
    });
    const sent = await fillStream(direct, "quiet", 10, (i) => ({ n: i }));
    await waitFor(async () => processed.size === 10 && (await groupPending(direct, "quiet", "g")) === 0, {
      description: "first entries processed and acknowledged",
      timeoutMs: 30_000,
    });
    // The partition must catch the consumer inside a blocking read (what the watchdog guards): an ack whose reply
    // is held back instead waits for the command timeout, which is another test's subject. Under load the last
    // ack's reply can still be on its way when XPENDING already says 0, so wait until the server shows the
    // consumer's XREADGROUP blocked.
    await waitFor(
      async () => {
        const clients = (await direct.call("CLIENT", "LIST")) as string;
        return clients
          .split("\n")
          .some((line) => /\bflags=\S*b/.test(line) && line.includes("cmd=xreadgroup"));
      },
      { description: "the consumer blocked in XREADGROUP", timeoutMs: 30_000 },
    );
    const partition = proxy.blackhole({ direction: "toClient" });
    await waitFor(() => consumer.stats.hungReads > 0, {
      description: "the watchdog replaced the hung read",
      timeoutMs: 30_000,
    });
    sent.push(...(await fillStream(direct, "quiet", 10, (i) => ({ n: i }), 11)));
    await partition.remove();
    await waitFor(async () => processed.size === 20 && (await groupPending(direct, "quiet", "g")) === 0, {
      description: "everything processed after the partition healed",
      timeoutMs: 30_000,
    });
    consumer.stop();
    await run;
    await expectAllAccounted(direct, "quiet", "g", sent, processed);
  });

  it("connections dropped and a blackholed connection: no loss, no hang", async () => {
    const source = await server();
    const proxy = await createFaultProxy({ target: source.url });
    cleanups.push(() => proxy.close());
    const direct = await connection(source.url);
    const conn = await connection(proxy.url, 1500);
    const processed = new Set<string>();
    const consumer = createConsumer(conn, {
      stream: "feed",
      group: "g",
      consumer: "c1",
      batchSize: 100,
      blockMs: 200,
      watchdogMs: 300,
      claimIdleMs: 1000,
      claimIntervalMs: 200,
      retryBackoff: { initialMs: 20, maxMs: 200 },
    });
    const run = consumer.run((batch) => {
      for (const id of batch.ids) processed.add(id);
    });
    const sent: string[] = [];
    let next = 1;
    const produce = async (count: number): Promise<void> => {
      sent.push(...(await fillStream(direct, "feed", count, (i) => ({ n: i }), next)));
      next += count;
    };
    await produce(2000);
    for (let round = 0; round < 5; round++) {
      await waitFor(() => processed.size >= sent.length - 500, {
        description: "consumer keeps up",
        timeoutMs: 30_000,
      });
      proxy.dropConnections({ reset: round % 2 === 0 });
      await produce(1000);
    }
    // A silent partition while a blocking read waits: only the watchdog can notice.
    await waitFor(() => processed.size === sent.length, {
      description: "caught up before the partition",
      timeoutMs: 30_000,
    });
    const noticed = consumer.stats.retries + consumer.stats.hungReads;
    const partition = proxy.blackhole({ direction: "toClient" });
    // Whatever the consumer was doing (a blocking read: the watchdog; another command: its timeout), it notices.
    await waitFor(() => consumer.stats.retries + consumer.stats.hungReads > noticed, {
      description: "the partition noticed",
      timeoutMs: 30_000,
    });
    await produce(1000);
    await partition.remove();
    await waitFor(
      async () => processed.size === sent.length && (await groupPending(direct, "feed", "g")) === 0,
      { description: "everything processed after the faults", timeoutMs: 60_000 },
    );
    consumer.stop();
    const stats = await run;
    await expectAllAccounted(direct, "feed", "g", sent, processed);
    expect(stats.retries).toBeGreaterThan(0);
  });
});
