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
import { StableColumns } from "../frame/stable-columns.js";
import { type RetryDelayOption, retryDelays } from "../internal/retry-delay.js";
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
  /**
   * Backoff between attempts of a failing route: core's RetryPolicy (a route retries until it succeeds or the
   * router stops, so `attempts` is not used). [100 ms doubling, up to 5 s, full jitter]
   */
  retry?: RetryDelayOption | undefined;
  /** Attempts before rows a sink rejects for good (not retryable) are dead-lettered. [5] */
  maxAttempts?: number | undefined;
  /** Entries a route keeps in memory while it is behind; beyond, only their ids (re-read later). [50000] */
  maxBufferedEntries?: number | undefined;
  /** Source entries read but not yet acknowledged, at most: reading pauses beyond this. [500000] */
  maxUnackedEntries?: number | undefined;
  /**
   * When the source is behind, batches already waiting are read back to back and routed as one frame of up
   * to this many entries: Polars' per-call cost is paid per frame, not per read. Caught up, each read is
   * routed on its own, so latency stays that of one read. [10 × source.batchSize, at least 10000]
   */
  maxFrameEntries?: number | undefined;
  signal?: AbortSignal | undefined;
  stopSignals?: readonly NodeJS.Signals[] | undefined;
  onEvent?: RouterEventListener | undefined;
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
  checkFiltersAgainstSchema(routes, resolved);
  return new Router(connection, resolved, routes, {
    backoff: retryDelays(options.retry, "retry"),
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

/**
 * With a declared schema (or projection) the columns of every batch are known now: each route's filter is
 * evaluated on an empty frame of those columns, so a misspelt column or a dtype mismatch is an error here,
 * naming the route, instead of every entry failing at run time.
 */
function checkFiltersAgainstSchema(
  routes: readonly RouteDefinition[],
  options: ResolvedConsumerOptions,
): void {
  const { schema, columns } = options.frame.entries;
  if (schema === undefined && columns === undefined) return;
  const empty = entriesToFrame([], options.frame).frame;
  routes.forEach((route, index) => {
    if (route.filter === undefined) return;
    try {
      empty.filter(route.filter);
    } catch (error) {
      throw new InvalidArgumentError(
        `routes[${index}].filter`,
        `route ${JSON.stringify(route.name)} does not fit the source schema: ${firstLine(error)} (columns: ${empty.columns.join(", ")})`,
        error,
      );
    }
  });
}

/**
 * A filter that also fails on zero rows of the same columns fails on the frame's structure (a missing column,
 * a dtype mismatch), not on its data: no redelivery can fix it, so the router stops with this error.
 */
function structuralFailure(
  frame: DataFrame,
  route: RouteDefinition,
  index: number,
  error: unknown,
): Error | undefined {
  try {
    frame.head(0).filter(route.filter!);
    return undefined;
  } catch {
    const columns = frame.columns.filter((name) => name !== ROW_INDEX);
    return new InvalidArgumentError(
      `routes[${index}].filter`,
      `route ${JSON.stringify(route.name)} cannot be evaluated on the source entries: ${firstLine(error)} (columns so far: ${columns.join(", ")}); the router stopped without acknowledging the batch. Declare source.schema to give fields that some entries omit a column`,
      error,
    );
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0]!.trim();
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
  private readonly columns: StableColumns;
  private readonly tracker = new AckTracker();
  private unmatched = 0;
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
    this.columns = new StableColumns(options.frame);
    this.engine.signal.addEventListener("abort", () => this.stopController.abort(), { once: true });
    this.runners = routes.map(
      (route) =>
        new RouteRunner(route, {
          source: connection,
          frameOptions: options.frame,
          columns: this.columns,
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
      unmatched: this.unmatched,
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
        // A read takes up to batchSize entries of every stream: with a sharded source, fewer reads fill a frame.
        const perRead = this.options.batchSize * this.options.streams.length;
        const reads = Math.max(1, Math.floor(this.settings.maxFrameEntries / perRead));
        const delivered = (await this.engine.next({ wait: false, reads })) ?? (await this.engine.next());
        if (delivered === undefined) break;
        this.route(delivered);
      }
    } catch (error) {
      failure = { error };
      this.stop();
    }
    try {
      // Graceful stop: routes finish what they hold while their sinks accept it (no more retries), for at most
      // stopTimeoutMs; entries of a write still hanging then stay pending (claimable, re-read on restart).
      await settleWithin(
        Promise.all(this.runners.map((runner) => runner.settled())),
        this.options.stopTimeoutMs,
      );
      await settleWithin(this.flushAcks(), this.options.stopTimeoutMs);
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
    let index = -1;
    try {
      frame = this.columns.apply(
        delivered.frame ?? entriesToFrame(delivered.entries, this.options.frame).frame,
      );
      frame = frame.withColumn(
        pl.Series(
          ROW_INDEX,
          Int32Array.from({ length: entries.length }, (_, i) => i),
        ),
      );
      for (index = 0; index < this.runners.length; index++) {
        const { route } = this.runners[index]!;
        let selected: DataFrame;
        try {
          selected = route.filter === undefined ? frame : frame.filter(route.filter);
        } catch (error) {
          // Not fixable by redelivery: stop (the entries stay pending) rather than dead-letter the stream.
          throw structuralFailure(frame, route, index, error) ?? error;
        }
        selections.push(Int32Array.from(selected.getColumn(ROW_INDEX).toArray() as number[]));
        subFrames.push(selected.drop(ROW_INDEX));
      }
    } catch (error) {
      if (InvalidArgumentError.isInstance(error)) throw error;
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
    for (const count of routeCounts) if (count === 0) this.unmatched++;
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

/** Waits for `work` at most `ms`. */
async function settleWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([work, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
