import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { connectCluster } from "@polars-redis/cluster";
import { type Command, connect, isCommandError, type RedisConnection } from "@polars-redis/core";
import { readStream } from "@polars-redis/streams";
import {
  createFaultProxy,
  type FaultProxy,
  generateChangeEvents,
  type RedisCluster,
  type RedisServer,
  startCluster,
  startRedis,
  waitFor,
} from "@polars-redis/testkit";
import pl, { type DataFrame } from "nodejs-polars";
import type { RouterProcessConfig } from "./router-process.js";
import { ROUTES, SOURCE_SCHEMA, WRITES_KEY } from "./rules.js";

export interface PipelineOptions {
  /** Source stream shards, `{cdc-<i>}:changes`: each its own hash tag, so they spread over the masters. [6] */
  shards?: number;
  /** Replicas per source master (failovers need one). [0] */
  replicas?: number;
  /** AOF on the source (kill -9 + restart keeps every acknowledged write). [false] */
  persistence?: boolean;
  /** Cluster node timeout: long, so a kill -9 + quick restart is not mistaken for a dead master. [15000] */
  nodeTimeoutMs?: number;
  /** Source entries per router read. [500] */
  batchSize?: number;
  /** A dead router's entries are claimed after this long. [3000] */
  claimIdleMs?: number;
  /** Where to report routers that exit on their own. [stderr] */
  log?: (line: string) => void;
}

export interface Destination {
  readonly name: string;
  readonly server: RedisServer;
  /** Routers write through this proxy (so faults can be injected); checks read the server directly. */
  readonly proxy: FaultProxy;
  readonly conn: RedisConnection;
}

export interface RouterProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** The last stats line it printed. */
  last: Record<string, unknown> | undefined;
  readonly exited: Promise<number | null>;
  /** kill -9. */
  kill(): Promise<void>;
  /** SIGTERM and wait (a graceful stop). */
  stop(): Promise<void>;
}

/** Per route, what the check found. */
export interface RouteOutcome {
  expected: number;
  delivered: number;
  /** Writes beyond the first of an entry (replays). */
  duplicated: number;
  deadLettered: number;
  /** Expected, neither written nor dead-lettered. */
  lost: number;
  /** Written but not expected by the route's filter. */
  unexpected: number;
}

export interface Accounting {
  sent: number;
  /** Source entries acknowledged by the group. */
  acked: number;
  /** Source entries still pending or never delivered (and not dead-lettered). */
  unaccounted: number;
  routes: Record<string, RouteOutcome>;
  /** Per source entry (`<stream>/<id>`): lost somewhere, duplicated somewhere, dead-lettered somewhere. */
  lostKeys: Set<string>;
  duplicatedKeys: Map<string, number>;
  deadLetteredKeys: Set<string>;
  unaccountedKeys: Set<string>;
}

/** The built router script (tests run this file from src/, the CLIs from dist/src/; children need plain JS). */
const ROUTER_SCRIPT = fileURLToPath(
  new URL(
    import.meta.url.includes("/dist/") ? "./router-process.js" : "../dist/src/router-process.js",
    import.meta.url,
  ),
);
const GROUP = "routing";

/**
 * The routing pipeline as real parts: a 3-master Redis Cluster source sharded into several streams, three
 * destination servers (A, B, analytics) each behind a fault proxy, and router processes spawned on demand
 * (`node router-process.js`), all in one consumer group.
 */
export class Pipeline {
  readonly streams: string[];
  readonly routers = new Map<string, RouterProcess>();
  private readonly nextSeq: number[];
  private readonly log: (line: string) => void;
  private routerCount = 0;
  private produced = 0;

  private constructor(
    readonly cluster: RedisCluster,
    readonly source: RedisConnection,
    readonly destinations: readonly Destination[],
    private readonly options: Required<Omit<PipelineOptions, "log">>,
    log: ((line: string) => void) | undefined,
  ) {
    this.log = log ?? ((line) => process.stderr.write(`${line}\n`));
    this.streams = Array.from({ length: options.shards }, (_, i) => `{cdc-${i}}:changes`);
    this.nextSeq = this.streams.map(() => 1);
  }

  static async start(options: PipelineOptions = {}): Promise<Pipeline> {
    const resolved: Required<Omit<PipelineOptions, "log">> = {
      shards: options.shards ?? 6,
      replicas: options.replicas ?? 0,
      persistence: options.persistence ?? false,
      nodeTimeoutMs: options.nodeTimeoutMs ?? 15_000,
      batchSize: options.batchSize ?? 500,
      claimIdleMs: options.claimIdleMs ?? 3000,
    };
    const cluster = await startCluster({
      masters: 3,
      replicasPerMaster: resolved.replicas,
      persistence: resolved.persistence,
      nodeTimeoutMs: resolved.nodeTimeoutMs,
    });
    const destinations: Destination[] = [];
    try {
      for (const route of ROUTES) {
        const server = await startRedis();
        const proxy = await createFaultProxy({ target: server.url });
        destinations.push({ name: route.name, server, proxy, conn: await connect(server.url) });
      }
      const source = await connectCluster(cluster.urls[0]!, { commandTimeoutMs: 5000 });
      const pipeline = new Pipeline(cluster, source, destinations, resolved, options.log);
      for (const stream of pipeline.streams) {
        await source.call("XGROUP", "CREATE", stream, GROUP, "0", "MKSTREAM");
      }
      return pipeline;
    } catch (error) {
      await Promise.all(destinations.map((d) => d.server.stop()));
      await cluster.stop();
      throw error;
    }
  }

  destination(name: string): Destination {
    const found = this.destinations.find((d) => d.name === name);
    if (found === undefined) throw new Error(`no destination ${name}`);
    return found;
  }

  /** Starts a router process; resolves once it is connected and routing. */
  async spawnRouter(name = `router-${++this.routerCount}`): Promise<RouterProcess> {
    const config: RouterProcessConfig = {
      sourceUrl: this.cluster.urls[0]!,
      cluster: true,
      streams: this.streams,
      group: GROUP,
      consumer: name,
      destinations: Object.fromEntries(this.destinations.map((d) => [d.name, d.proxy.url])),
      batchSize: this.options.batchSize,
      claimIdleMs: this.options.claimIdleMs,
    };
    const child = spawn(process.execPath, [ROUTER_SCRIPT, JSON.stringify(config)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const router: RouterProcess = {
      name,
      child,
      last: undefined,
      exited,
      kill: async () => {
        child.kill("SIGKILL");
        await exited;
      },
      stop: async () => {
        child.kill("SIGTERM");
        await exited;
      },
    };
    let buffer = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline = buffer.indexOf("\n");
      while (newline >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        try {
          router.last = JSON.parse(line) as Record<string, unknown>;
        } catch {
          // not a stats line
        }
        newline = buffer.indexOf("\n");
      }
    });
    this.routers.set(name, router);
    await waitFor(() => router.last !== undefined || child.exitCode !== null, {
      timeoutMs: 60_000,
      description: `router ${name} to start`,
    });
    if (router.last === undefined) throw new Error(`router ${name} exited at start: ${stderr}`);
    void exited.then((code) => {
      this.routers.delete(name);
      // A router that ends by itself (not killed, not stopped) is news: say why.
      if (code !== null && code !== 0) {
        this.log(
          `router ${name} exited with code ${code}: ${JSON.stringify(router.last)} ${stderr.slice(-1500)}`,
        );
      }
    });
    return router;
  }

  /**
   * Appends `count` change events, spread round-robin over the shards, with explicit ids `1-<n>` per shard: an
   * XADD whose reply was lost is sent again, and Redis refuses the id if the first one was applied, so every
   * event is in the source exactly once. Returns the `<stream>/<id>` of each.
   */
  async produce(count: number): Promise<string[]> {
    const events = generateChangeEvents({ count, seed: ++this.produced });
    const commands: Command[] = [];
    const keys: string[] = [];
    for (let i = 0; i < count; i++) {
      const shard = i % this.streams.length;
      const id = `1-${this.nextSeq[shard]!++}`;
      commands.push(["XADD", this.streams[shard]!, id, ...events.fieldsOf(i)]);
      keys.push(`${this.streams[shard]}/${id}`);
    }
    let remaining = commands;
    for (let attempt = 1; remaining.length > 0; attempt++) {
      const replies: unknown[] = await this.source
        .batch(remaining)
        .catch((error: unknown) => remaining.map(() => error));
      const failed: Command[] = [];
      replies.forEach((reply, index) => {
        if (!(reply instanceof Error)) return;
        if (isCommandError(reply as never) && /equal or smaller/.test(reply.message)) return; // applied before
        failed.push(remaining[index]!);
      });
      remaining = failed;
      if (remaining.length > 0) {
        if (attempt > 200) throw new Error(`could not append ${remaining.length} events`);
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * attempt)));
      }
    }
    return keys;
  }

  /** True when every shard's group has read everything and has nothing pending. */
  async drained(): Promise<boolean> {
    for (const stream of this.streams) {
      const info = await this.groupInfo(stream);
      const last = await this.lastId(stream);
      if (
        info.pending !== 0 ||
        (last !== undefined && compareIds(String(info["last-delivered-id"]), last) < 0)
      )
        return false;
    }
    return true;
  }

  async waitDrained(timeoutMs: number): Promise<void> {
    await waitFor(() => this.drained().catch(() => false), {
      timeoutMs,
      intervalMs: 250,
      description: "every source entry acknowledged",
    });
  }

  /**
   * Accounts for every source entry against every route: the same filters evaluated with Polars over the whole
   * source say which entries each destination must have; the destinations' write counters say what arrived;
   * the dead-letter streams say what was set aside.
   */
  async account(sent: readonly string[]): Promise<Accounting> {
    const frames: DataFrame[] = [];
    const deadByRoute = new Map<string, Set<string>>(); // "" = every route (the consumer gave up on it)
    const unaccountedKeys = new Set<string>();
    for (const stream of this.streams) {
      const frame = await readStream(this.source, { stream, schema: SOURCE_SCHEMA });
      frames.push(frame.withColumns(pl.lit(stream).alias("_stream")));
      const dead = (await this.source.call("XRANGE", `${stream}:dead-letter`, "-", "+")) as [
        string,
        string[],
      ][];
      for (const [, fields] of dead) {
        const field = (name: string) => {
          const at = fields.indexOf(name);
          return at < 0 ? undefined : fields[at + 1];
        };
        const route = field("route") ?? "";
        const set = deadByRoute.get(route) ?? new Set<string>();
        set.add(`${stream}/${field("source_id")}`);
        deadByRoute.set(route, set);
      }
      for (const id of await this.unackedIds(stream)) unaccountedKeys.add(`${stream}/${id}`);
    }
    const source = pl.concat(frames, { how: "vertical" });
    const everyRoute = deadByRoute.get("") ?? new Set<string>();
    for (const key of everyRoute) unaccountedKeys.delete(key);
    const accounting: Accounting = {
      sent: sent.length,
      acked: source.height - unaccountedKeys.size - everyRoute.size,
      unaccounted: unaccountedKeys.size,
      routes: {},
      lostKeys: new Set(),
      duplicatedKeys: new Map(),
      deadLetteredKeys: new Set(everyRoute),
      unaccountedKeys,
    };
    for (const route of ROUTES) {
      const selected = source.filter(route.filter);
      const ids = selected.getColumn("_id").toArray() as string[];
      const streams = selected.getColumn("_stream").toArray() as string[];
      const expected = new Set(ids.map((id, row) => `${streams[row]}/${id}`));
      const writes = (await this.destination(route.name).conn.call("HGETALL", WRITES_KEY)) as string[];
      const written = new Map<string, number>();
      for (let i = 0; i < writes.length; i += 2) written.set(writes[i]!, Number(writes[i + 1]));
      const routeDead = deadByRoute.get(route.name) ?? new Set<string>();
      const outcome: RouteOutcome = {
        expected: expected.size,
        delivered: 0,
        duplicated: 0,
        deadLettered: 0,
        lost: 0,
        unexpected: 0,
      };
      for (const key of expected) {
        const count = written.get(key) ?? 0;
        if (count > 0) {
          outcome.delivered++;
          if (count > 1) {
            outcome.duplicated += count - 1;
            accounting.duplicatedKeys.set(key, (accounting.duplicatedKeys.get(key) ?? 0) + count - 1);
          }
        } else if (routeDead.has(key) || everyRoute.has(key)) {
          outcome.deadLettered++;
          accounting.deadLetteredKeys.add(key);
        } else if (!unaccountedKeys.has(key)) {
          outcome.lost++;
          accounting.lostKeys.add(key);
        }
      }
      for (const key of written.keys()) if (!expected.has(key)) outcome.unexpected++;
      accounting.routes[route.name] = outcome;
    }
    // An event that is not in the source at all was lost before any router saw it.
    const inSource = new Set(
      (source.getColumn("_id").toArray() as string[]).map(
        (id, row) => `${source.getColumn("_stream").get(row)}/${id}`,
      ),
    );
    for (const key of sent) if (!inSource.has(key)) accounting.lostKeys.add(key);
    return accounting;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.routers.values()].map((router) => router.kill().catch(() => {})));
    await this.source.close().catch(() => {});
    for (const destination of this.destinations) {
      await destination.conn.close().catch(() => {});
      await destination.proxy.close().catch(() => {});
      await destination.server.stop().catch(() => {});
    }
    await this.cluster.stop();
  }

  private async groupInfo(stream: string): Promise<Record<string, unknown>> {
    const groups = (await this.source.call("XINFO", "GROUPS", stream)) as unknown[][];
    for (const flat of groups) {
      const info: Record<string, unknown> = {};
      for (let i = 0; i < flat.length; i += 2) info[String(flat[i])] = flat[i + 1];
      if (info.name === GROUP) return info;
    }
    throw new Error(`no group ${GROUP} on ${stream}`);
  }

  private async lastId(stream: string): Promise<string | undefined> {
    const [last] = (await this.source.call("XREVRANGE", stream, "+", "-", "COUNT", 1)) as [string][];
    return last?.[0];
  }

  /** Entries the group has not acknowledged: pending ones, and those after its position. */
  private async unackedIds(stream: string): Promise<string[]> {
    const pending = (await this.source.call("XPENDING", stream, GROUP, "-", "+", 1_000_000)) as [string][];
    const position = String((await this.groupInfo(stream))["last-delivered-id"]);
    const after = (await this.source.call("XRANGE", stream, `(${position}`, "+")) as [string][];
    return [...pending.map(([id]) => id), ...after.map(([id]) => id)];
  }
}

function compareIds(a: string, b: string): number {
  const [ams, aseq] = a.split("-").map(BigInt);
  const [bms, bseq] = b.split("-").map(BigInt);
  if (ams !== bms) return ams! < bms! ? -1 : 1;
  if (aseq === bseq) return 0;
  return aseq! < bseq! ? -1 : 1;
}
