import { manualFailover } from "@polars-redis/testkit";
import { type Accounting, Pipeline, type PipelineOptions } from "./pipeline.js";

export const FAULT_KINDS = [
  "router-kill",
  "source-kill",
  "destination-blackhole",
  "destination-reset",
  "master-failover",
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface SoakOptions {
  /** Stop producing after this long [60000] ... */
  durationMs?: number;
  /** ... or after this many events, whichever comes first [Infinity]. */
  maxEvents?: number;
  /** Events per second the producer appends [500]. */
  rate?: number;
  /** Router processes [3]. */
  routers?: number;
  /** A fault every this many ms [8000]. */
  faultEveryMs?: number;
  /** Faults to draw from [all]; each is used once before any repeats, in a seeded random order. */
  faults?: readonly FaultKind[];
  seed?: number;
  /** Keep going past the duration until every fault kind was injected once [false]. */
  everyFaultOnce?: boolean;
  /** How long to wait for the pipeline to drain after the last fault [180000]. */
  drainTimeoutMs?: number;
  pipeline?: PipelineOptions;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** The events produced while one fault was (or had last been) in effect, and what became of them. */
export interface FaultTally {
  fault: FaultKind | "none";
  detail: string;
  sent: number;
  acked: number;
  deadLettered: number;
  lost: number;
  duplicated: number;
  unaccounted: number;
}

export interface SoakReport {
  startedAt: string;
  durationMs: number;
  events: number;
  routers: number;
  tallies: FaultTally[];
  routes: Accounting["routes"];
  /** True when nothing was lost, unaccounted or written where it does not belong. */
  ok: boolean;
}

interface Window {
  fault: FaultKind | "none";
  detail: string;
  keys: string[];
}

/**
 * Drives the routing pipeline (router processes over a sharded cluster source, three destinations) for a
 * bounded time or event count while injecting randomized faults, then accounts for every event per fault
 * window: events are attributed to the fault in effect (the last one injected) when they were produced.
 */
export async function runSoak(options: SoakOptions = {}): Promise<SoakReport> {
  const durationMs = options.durationMs ?? 60_000;
  const maxEvents = options.maxEvents ?? Number.POSITIVE_INFINITY;
  const rate = options.rate ?? 500;
  const routerCount = options.routers ?? 3;
  const faultEveryMs = options.faultEveryMs ?? 8000;
  const kinds = options.faults ?? FAULT_KINDS;
  const random = mulberry32(options.seed ?? Date.now());
  const log = options.log ?? (() => {});
  const needsReplicas = kinds.includes("master-failover");
  const pipeline = await Pipeline.start({
    replicas: needsReplicas ? 1 : 0,
    persistence: kinds.includes("source-kill"),
    log,
    ...options.pipeline,
  });
  const startedAt = new Date();
  try {
    for (let i = 0; i < routerCount; i++) await pipeline.spawnRouter();
    const windows: Window[] = [{ fault: "none", detail: "before the first fault", keys: [] }];
    let produced = 0;
    let producing = true;
    const deadline = Date.now() + durationMs;
    const producer = (async () => {
      const perTick = Math.max(1, Math.round(rate / 10));
      while (producing && produced < maxEvents) {
        const tickStart = Date.now();
        const count = Math.min(perTick, maxEvents - produced);
        const keys = await pipeline.produce(count);
        windows[windows.length - 1]!.keys.push(...keys);
        produced += count;
        await sleep(Math.max(0, 100 - (Date.now() - tickStart)));
      }
    })();

    let bag: FaultKind[] = [];
    const used = new Set<FaultKind>();
    const more = () =>
      produced < maxEvents &&
      (Date.now() + faultEveryMs < deadline || (options.everyFaultOnce === true && used.size < kinds.length));
    while (more()) {
      await sleep(faultEveryMs / 2 + random() * (faultEveryMs / 2));
      if (bag.length === 0) bag = shuffle([...kinds], random);
      const kind = bag.shift()!;
      used.add(kind);
      const window: Window = { fault: kind, detail: "", keys: [] };
      windows.push(window);
      window.detail = await inject(pipeline, kind, random);
      log(`${new Date().toISOString()} ${kind}: ${window.detail} (${produced} events so far)`);
    }
    // A last quiet stretch, so the last fault's window has events produced after it too.
    await sleep(Math.max(faultEveryMs / 2, deadline - Date.now()));
    producing = false;
    await producer;
    log(`${new Date().toISOString()} produced ${produced} events; draining`);
    for (const destination of pipeline.destinations) await destination.proxy.clearFaults();
    await pipeline.waitDrained(options.drainTimeoutMs ?? 180_000);
    await Promise.all([...pipeline.routers.values()].map((router) => router.stop()));
    const sent = windows.flatMap((window) => window.keys);
    const accounting = await pipeline.account(sent);
    const tallies = windows.map((window) => tally(window, accounting));
    const unexpected = Object.values(accounting.routes).reduce((sum, route) => sum + route.unexpected, 0);
    return {
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
      events: sent.length,
      routers: routerCount,
      tallies,
      routes: accounting.routes,
      ok: accounting.lostKeys.size === 0 && accounting.unaccounted === 0 && unexpected === 0,
    };
  } finally {
    await pipeline.stop();
  }
}

/** Injects one fault and returns what it did. Faults heal themselves (a blackhole lifts, a node restarts). */
async function inject(pipeline: Pipeline, kind: FaultKind, random: () => number): Promise<string> {
  switch (kind) {
    case "router-kill": {
      const routers = [...pipeline.routers.values()];
      const victim = routers[Math.floor(random() * routers.length)]!;
      await victim.kill();
      const replacement = await pipeline.spawnRouter();
      return `kill -9 ${victim.name}, started ${replacement.name}`;
    }
    case "source-kill": {
      const node = await pipeline.cluster.masterForSlot(Math.floor(random() * 16_384));
      await node.kill();
      await node.restart();
      await pipeline.cluster.waitForHealthy(60_000);
      return `kill -9 + AOF restart of master ${node.port}`;
    }
    case "destination-blackhole": {
      const destination = pipeline.destinations[Math.floor(random() * pipeline.destinations.length)]!;
      const ms = Math.round(1000 + random() * 2000);
      const fault = destination.proxy.blackhole();
      setTimeout(() => void fault.remove(), ms);
      return `destination ${destination.name} blackholed for ${ms} ms`;
    }
    case "destination-reset": {
      const destination = pipeline.destinations[Math.floor(random() * pipeline.destinations.length)]!;
      const dropped = destination.proxy.dropConnections({ reset: true });
      return `destination ${destination.name}: ${dropped} connections reset`;
    }
    case "master-failover": {
      const slot = Math.floor(random() * 16_384);
      const { promoted, demoted } = await manualFailover(pipeline.cluster, {
        master: { slot },
        timeoutMs: 60_000,
      });
      return `failover of slot ${slot}'s master ${demoted.port} to ${promoted.port}`;
    }
  }
}

function tally(window: Window, accounting: Accounting): FaultTally {
  const result: FaultTally = {
    fault: window.fault,
    detail: window.detail,
    sent: window.keys.length,
    acked: 0,
    deadLettered: 0,
    lost: 0,
    duplicated: 0,
    unaccounted: 0,
  };
  for (const key of window.keys) {
    if (accounting.lostKeys.has(key)) result.lost++;
    if (accounting.unaccountedKeys.has(key)) result.unaccounted++;
    else if (accounting.deadLetteredKeys.has(key)) result.deadLettered++;
    else result.acked++;
    result.duplicated += accounting.duplicatedKeys.get(key) ?? 0;
  }
  return result;
}

/** The report as a Markdown table. */
export function formatReport(report: SoakReport): string {
  const header =
    "| # | fault | what | sent | acked | dead-lettered | lost | duplicated | unaccounted |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |";
  const rows = report.tallies.map(
    (t, i) =>
      `| ${i} | ${t.fault} | ${t.detail} | ${t.sent} | ${t.acked} | ${t.deadLettered} | ${t.lost} | ${t.duplicated} | ${t.unaccounted} |`,
  );
  const total = report.tallies.reduce(
    (sum, t) => ({
      sent: sum.sent + t.sent,
      acked: sum.acked + t.acked,
      deadLettered: sum.deadLettered + t.deadLettered,
      lost: sum.lost + t.lost,
      duplicated: sum.duplicated + t.duplicated,
      unaccounted: sum.unaccounted + t.unaccounted,
    }),
    { sent: 0, acked: 0, deadLettered: 0, lost: 0, duplicated: 0, unaccounted: 0 },
  );
  rows.push(
    `| | **total** | | ${total.sent} | ${total.acked} | ${total.deadLettered} | ${total.lost} | ${total.duplicated} | ${total.unaccounted} |`,
  );
  const routes = Object.entries(report.routes)
    .map(
      ([name, r]) =>
        `${name}: expected ${r.expected}, delivered ${r.delivered}, duplicated ${r.duplicated}, dead-lettered ${r.deadLettered}, lost ${r.lost}, unexpected ${r.unexpected}`,
    )
    .join("; ");
  return `${header}\n${rows.join("\n")}\n\nPer route: ${routes}.\nResult: ${report.ok ? "OK (nothing lost, nothing unaccounted)" : "FAILED"}.`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** A small seeded generator, so a failing run can be repeated with its seed. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
