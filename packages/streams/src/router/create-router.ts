import { InvalidArgumentError, type RedisConnection } from "@polars-redis/core";
import pl, { type DataFrame } from "nodejs-polars";
import { describeFailure } from "../consumer/consumer-batch.js";
import {
  type ConsumerOptions,
  type ResolvedConsumerOptions,
  resolveConsumerOptions,
} from "../consumer/consumer-options.js";
import { type DeliveredBatch, type EntryRef, GroupReader } from "../consumer/group-reader.js";
import { entriesToFrame } from "../frame/entries-to-frame.js";
import { type BackoffOptions, createBackoff } from "../internal/backoff.js";
import { onProcessSignals } from "../internal/stop-signals.js";
import { requirePositiveInteger } from "../internal/validate.js";
import { AckTracker } from "./ack-tracker.js";
import type { RouteDefinition } from "./route-definition.js";
import { RouteRunner } from "./route-runner.js";
import type { RouterEventListener } from "./router-events.js";
import type { RouterStats } from "./router-stats.js";

export interface RouterSource extends Omit<ConsumerOptions, "onEvent" | "signal" | "stopSignals"> {
  /** The connection to the source stream(s). */
  connection: RedisConnection;
}

export interface RouterOptions {
  /** The consumer group the router reads from (batchSize defaults to 1000 here). */
  source: RouterSource;
  routes: readonly RouteDefinition[];
  /** Backoff between attempts of a failing route. [100 ms doubling, up to 5 s] */
  retry?: BackoffOptions;
  /** Attempts before rows a sink rejects for good (not retryable) are dead-lettered. [5] */
  maxAttempts?: number;
  /** Entries a route keeps in memory while it is behind; beyond, only their ids (re-read later). [50000] */
  maxBufferedEntries?: number;
  /** Source entries read but not yet acknowledged, at most: reading pauses beyond this. [500000] */
  maxUnackedEntries?: number;
  /**
   * When the source is behind, batches already waiting are read back to back and routed as one frame of up
   * to this many entries: Polars' per-call cost is paid per frame, not per read. Caught up, each read is
   * routed on its own, so latency stays that of one read. [10 × source.batchSize, at least 10000]
   */
  maxFrameEntries?: number;
  signal?: AbortSignal;
  stopSignals?: readonly NodeJS.Signals[];
  onEvent?: RouterEventListener;
}

export interface StreamRouter {
  /** Routes until stopped, then finishes the writes in progress, acknowledges what is done, resolves with stats. */
  run(): Promise<RouterStats>;
  stop(): void;
  readonly stats: RouterStats;
}

const ROW_INDEX = "__polars_redis_row";

/**
 * Content-based routing of a stream's entries to several sinks. Each batch is read from a consumer group,
 * each route's Polars filter picks its rows, and every route writes its rows to its sink on its own, in
 * parallel with the others. A source entry is acknowledged only when every route that matched it has
 * confirmed it, so nothing is acknowledged early; a failing route is retried with backoff while the others
 * carry on, and only its entries stay pending until it recovers.
 *
 * Scale out by running more routers with other `consumer` names in the same group, and by sharding the source
 * over several stream keys (`streams`).
 */
export function createRouter(options: RouterOptions): StreamRouter {
  if (options === null || typeof options !== "object")
    throw new InvalidArgumentError("options", "expected an object");
  const { source } = options;
  if (source === null || typeof source !== "object" || typeof source.connection?.call !== "function") {
    throw new InvalidArgumentError("source.connection", "expected a RedisConnection");
  }
  const { connection, ...consumerOptions } = source;
  const routes = validateRoutes(options.routes);
  const listener = options.onEvent ?? (() => {});
  const resolved = resolveConsumerOptions({
    batchSize: 1000,
    ...consumerOptions,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    onEvent: listener,
  });
  return new Router(connection, resolved, routes, {
    backoff: createBackoff(options.retry, "retry"),
    maxAttempts: requirePositiveInteger("maxAttempts", options.maxAttempts ?? 5),
    maxBufferedEntries: requirePositiveInteger("maxBufferedEntries", options.maxBufferedEntries ?? 50_000),
    maxUnackedEntries: requirePositiveInteger("maxUnackedEntries", options.maxUnackedEntries ?? 500_000),
    maxFrameEntries: requirePositiveInteger(
      "maxFrameEntries",
      options.maxFrameEntries ?? Math.max(10_000, 10 * resolved.batchSize),
    ),
    stopSignals: options.stopSignals ?? [],
    emit: listener,
  });
}

function validateRoutes(routes: unknown): RouteDefinition[] {
  if (!Array.isArray(routes) || routes.length === 0) {
    throw new InvalidArgumentError(
      "routes",
      "expected a non-empty array of { name, filter?, transform?, sink }",
    );
  }
  const names = new Set<string>();
  return routes.map((route: RouteDefinition, index) => {
    const where = `routes[${index}]`;
    if (route === null || typeof route !== "object")
      throw new InvalidArgumentError(where, "expected a route object");
    if (typeof route.name !== "string" || route.name.length === 0) {
      throw new InvalidArgumentError(`${where}.name`, "expected a non-empty name");
    }
    if (names.has(route.name))
      throw new InvalidArgumentError(`${where}.name`, `${JSON.stringify(route.name)} is used twice`);
    names.add(route.name);
    if (typeof route.sink?.write !== "function")
      throw new InvalidArgumentError(`${where}.sink`, "expected a Sink");
    if (route.filter !== undefined && (route.filter === null || typeof route.filter !== "object")) {
      throw new InvalidArgumentError(`${where}.filter`, "expected a nodejs-polars expression");
    }
    if (route.transform !== undefined && typeof route.transform !== "function") {
      throw new InvalidArgumentError(`${where}.transform`, "expected a function (frame) => frame");
    }
    return route;
  });
}

interface RouterSettings {
  backoff: (attempt: number) => number;
  maxAttempts: number;
  maxBufferedEntries: number;
  maxUnackedEntries: number;
  maxFrameEntries: number;
  stopSignals: readonly NodeJS.Signals[];
  emit: RouterEventListener;
}

class Router implements StreamRouter {
  private readonly engine: GroupReader;
  private readonly tracker = new AckTracker();
  private readonly runners: RouteRunner[];
  private readonly stopController = new AbortController();
  private acking: Promise<void> | undefined;
  private roomWaiter: (() => void) | undefined;
  private started = false;

  constructor(
    connection: RedisConnection,
    private readonly options: ResolvedConsumerOptions,
    routes: readonly RouteDefinition[],
    private readonly settings: RouterSettings,
  ) {
    this.engine = new GroupReader(connection, options);
    this.engine.signal.addEventListener("abort", () => this.stopController.abort(), { once: true });
    this.runners = routes.map(
      (route) =>
        new RouteRunner(route, {
          source: connection,
          frameOptions: options.frame,
          confirm: (entries) => this.confirm(entries),
          backoff: settings.backoff,
          maxAttempts: settings.maxAttempts,
          maxBufferedEntries: settings.maxBufferedEntries,
          deadLetter: {
            group: options.group,
            consumer: options.consumer,
            deadLetterStream: options.deadLetterStream,
            maxLength: options.deadLetterMaxLength,
          },
          stopSignal: this.stopController.signal,
          emit: settings.emit,
        }),
    );
  }

  get stats(): RouterStats {
    return {
      source: { ...this.engine.stats },
      routes: Object.fromEntries(this.runners.map((runner) => [runner.route.name, { ...runner.stats }])),
      unacked: this.tracker.size,
    };
  }

  stop(): void {
    this.engine.stop();
  }

  async run(): Promise<RouterStats> {
    if (this.started) throw new InvalidArgumentError("router", "this router has already been run");
    this.started = true;
    const removeSignals = onProcessSignals(this.settings.stopSignals, () => this.stop());
    let failure: { error: unknown } | undefined;
    try {
      for (;;) {
        await this.waitForRoom();
        // Behind: up to maxFrameEntries waiting entries in one pipelined round trip, routed as one frame.
        // Caught up: one blocking read, routed as soon as it returns.
        const reads = Math.max(1, Math.floor(this.settings.maxFrameEntries / this.options.batchSize));
        const delivered = (await this.engine.next({ wait: false, reads })) ?? (await this.engine.next());
        if (delivered === undefined) break;
        this.route(delivered);
      }
    } catch (error) {
      failure = { error };
      this.stop();
    }
    try {
      // Graceful stop: routes finish what they hold while their sinks accept it (no more retries).
      await Promise.all(this.runners.map((runner) => runner.settled()));
      await this.flushAcks();
    } finally {
      removeSignals();
      await this.engine.close();
    }
    if (failure !== undefined) throw failure.error;
    return this.stats;
  }

  /** Splits a batch among the routes and registers, per entry, how many routes must confirm it. */
  private route(delivered: DeliveredBatch): void {
    const entries: EntryRef[] = delivered.entries;
    let frame: DataFrame;
    const selections: Int32Array[] = [];
    const subFrames: DataFrame[] = [];
    try {
      frame = delivered.frame ?? entriesToFrame(delivered.entries, this.options.frame).frame;
      frame = frame.withColumn(
        pl.Series(
          ROW_INDEX,
          Int32Array.from({ length: entries.length }, (_, i) => i),
        ),
      );
      for (const runner of this.runners) {
        const selected = runner.route.filter === undefined ? frame : frame.filter(runner.route.filter);
        selections.push(Int32Array.from(selected.getColumn(ROW_INDEX).toArray() as number[]));
        subFrames.push(selected.drop(ROW_INDEX));
      }
    } catch (error) {
      // Rows that cannot be read with the schema, or a filter that cannot be evaluated on them: the entries go
      // back and come again alone, until they are dead-lettered with this reason.
      this.settings.emit({
        type: "batch-failed",
        entries: entries.map(({ stream, id }) => ({ stream, id })),
        error,
      });
      this.engine.release(entries, describeFailure(error));
      return;
    }
    const routeCounts = new Int32Array(entries.length);
    for (const rows of selections) for (const row of rows) routeCounts[row]!++;
    this.tracker.register(entries, routeCounts);
    this.runners.forEach((runner, index) => {
      const rows = selections[index]!;
      if (rows.length === 0) return;
      runner.enqueue(
        Array.from(rows, (row) => entries[row]!),
        subFrames[index]!,
      );
    });
    if (this.tracker.readyCount > 0) void this.flushAcks();
  }

  private confirm(entries: readonly EntryRef[]): void {
    this.tracker.confirm(entries);
    if (this.tracker.readyCount > 0) void this.flushAcks();
  }

  /** XACK what is ready; one flush at a time, the next one picks up what arrived meanwhile. */
  private flushAcks(): Promise<void> {
    this.acking ??= (async () => {
      try {
        while (this.tracker.readyCount > 0) await this.engine.ack(this.tracker.takeReady());
      } finally {
        this.acking = undefined;
        this.roomWaiter?.();
      }
    })();
    return this.acking;
  }

  /** Backpressure: stop reading while too many entries wait for routes. */
  private async waitForRoom(): Promise<void> {
    while (this.tracker.size >= this.settings.maxUnackedEntries && !this.engine.isStopping) {
      await new Promise<void>((resolve) => {
        this.roomWaiter = resolve;
        setTimeout(resolve, 100);
      });
      this.roomWaiter = undefined;
    }
  }
}
