import { InvalidArgumentError, PolarsRedisError, type RedisConnection } from "@polars-redis/core";
import { checkConnection, checkOptions } from "@polars-redis/core/internal";
import { entriesToFrame } from "../frame/entries-to-frame.js";
import { StableColumns } from "../frame/stable-columns.js";
import { CONSUMER_OPTION_NAMES, DEAD_LETTER_OPTION_NAMES } from "../internal/option-names.js";
import { onProcessSignals } from "../internal/stop-signals.js";
import { requirePositiveInteger } from "../internal/validate.js";
import { type ConsumerBatch, DeliveredConsumerBatch, describeFailure } from "./consumer-batch.js";
import {
  type ConsumerOptions,
  type ResolvedConsumerOptions,
  resolveConsumerOptions,
} from "./consumer-options.js";
import type { ConsumerStats } from "./consumer-stats.js";
import { type DeliveredBatch, GroupReader } from "./group-reader.js";

export type BatchHandler = (batch: ConsumerBatch) => Promise<void> | void;

export interface RunOptions {
  /** Batches processed at the same time. [1] */
  concurrency?: number | undefined;
}

/**
 * A consumer of a Redis Streams consumer group. Either iterate it (`for await (const batch of consumer)`,
 * then `await batch.ack()`), or give it a handler (`await consumer.run(handler)`: a batch is acknowledged when
 * the handler resolves and delivered again when it throws).
 */
export interface StreamConsumer extends AsyncIterable<ConsumerBatch> {
  /**
   * Processes batches until stopped (signal, stopSignals, stop()), then waits for the batches in progress and
   * resolves with the final stats. Rejects on errors that retrying cannot fix (and on gaps, with onGap "error").
   */
  run(handler: BatchHandler, options?: RunOptions): Promise<ConsumerStats>;
  /** Asks the consumer to stop; work in progress finishes, nothing new starts. */
  stop(): void;
  /** Stops and releases the consumer's own connection. The connection passed in stays open. */
  close(): Promise<void>;
  /** A snapshot of the counters. */
  readonly stats: ConsumerStats;
  /** Fires when the consumer is stopping. */
  readonly signal: AbortSignal;
}

/**
 * Creates a consumer. Options are checked at once (bad input throws an InvalidArgumentError here); nothing is
 * sent to Redis until iteration or run() starts.
 *
 * Guarantees: at-least-once processing. An entry is acknowledged only after its batch was processed; own
 * pending entries are delivered again before new ones; entries left by dead consumers are claimed after
 * `claimIdleMs`; an entry that keeps failing goes to the dead-letter stream after `maxDeliveries`; entries
 * trimmed while pending are reported (event `entries-lost`, stats.lost), never a crash.
 */
export function createConsumer(conn: RedisConnection, options: ConsumerOptions): StreamConsumer {
  checkConnection(conn, { function: "createConsumer" });
  if (options !== undefined) checkOptions(options, CONSUMER_OPTION_NAMES, { function: "createConsumer" });
  if (options?.deadLetter !== undefined) {
    checkOptions(options.deadLetter, DEAD_LETTER_OPTION_NAMES, {
      function: "createConsumer",
      argument: "deadLetter",
    });
  }
  return new GroupConsumer(conn, resolveConsumerOptions(options));
}

class GroupConsumer implements StreamConsumer {
  private readonly engine: GroupReader;
  private readonly columns: StableColumns;
  /** Resolves when the consumer is asked to stop. */
  private readonly stopped: Promise<void>;
  private active = false;

  constructor(
    conn: RedisConnection,
    private readonly options: ResolvedConsumerOptions,
  ) {
    this.engine = new GroupReader(conn, options);
    this.columns = new StableColumns(options.frame);
    this.stopped = new Promise((resolve) =>
      this.engine.signal.addEventListener("abort", () => resolve(), { once: true }),
    );
  }

  get stats(): ConsumerStats {
    return { ...this.engine.stats };
  }

  get signal(): AbortSignal {
    return this.engine.signal;
  }

  stop(): void {
    this.engine.stop();
  }

  close(): Promise<void> {
    return this.engine.close();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<ConsumerBatch> {
    this.begin();
    const removeSignals = onProcessSignals(this.options.stopSignals, () => this.stop());
    let previous: DeliveredConsumerBatch | undefined;
    try {
      for (;;) {
        previous?.nack(new Error("not acknowledged before the next batch was requested"));
        previous = undefined;
        const delivered = (await this.engine.next({ wait: false })) ?? (await this.engine.next());
        if (delivered === undefined) return;
        const batch = this.toBatch(delivered);
        if (batch === undefined) continue;
        previous = batch;
        yield batch;
      }
    } finally {
      previous?.abandon();
      removeSignals();
      await this.close();
    }
  }

  async run(handler: BatchHandler, runOptions: RunOptions = {}): Promise<ConsumerStats> {
    if (typeof handler !== "function") throw new InvalidArgumentError("handler", "expected a function");
    const concurrency = requirePositiveInteger("concurrency", runOptions.concurrency ?? 1);
    this.begin();
    const removeSignals = onProcessSignals(this.options.stopSignals, () => this.stop());
    const running = new Map<Promise<void>, DeliveredConsumerBatch>();
    let failure: { error: unknown } | undefined;
    try {
      while (failure === undefined) {
        while (running.size >= concurrency && !this.engine.isStopping) {
          await Promise.race([...running.keys(), this.stopped]);
        }
        if (this.engine.isStopping) break;
        let delivered: DeliveredBatch | undefined;
        try {
          delivered = (await this.engine.next({ wait: false })) ?? (await this.engine.next());
        } catch (error) {
          failure = { error };
          break;
        }
        if (delivered === undefined) break;
        const batch = this.toBatch(delivered);
        if (batch === undefined) continue;
        const task = this.handle(handler, batch);
        running.set(task, batch);
        void task.finally(() => running.delete(task));
      }
      // Graceful stop: the batches in progress finish (and are acknowledged) before run() resolves, for at most
      // stopTimeoutMs; what is still running then is left pending (claimable, redelivered on restart).
      await settleWithin(Promise.all(running.keys()), this.options.stopTimeoutMs);
      for (const batch of running.values()) batch.abandon();
    } finally {
      removeSignals();
      await this.close();
    }
    if (failure !== undefined) throw failure.error;
    return this.stats;
  }

  private async handle(handler: BatchHandler, batch: DeliveredConsumerBatch): Promise<void> {
    const timeoutMs = this.options.handlerTimeoutMs;
    try {
      const handled = Promise.resolve().then(() => handler(batch));
      if (timeoutMs === Number.POSITIVE_INFINITY) await handled;
      else if (!(await settleWithin(handled, timeoutMs))) throw handlerTimeout(timeoutMs);
    } catch (error) {
      this.options.onEvent({
        type: "batch-failed",
        entries: batch.ids.map((id, row) => ({ stream: batch.streams[row]!, id })),
        error,
      });
      batch.nack(error);
      return;
    }
    await batch.ack();
  }

  /** Builds the batch's frame; entries whose fields do not fit the schema are handed back (and dead-lettered). */
  private toBatch(delivered: DeliveredBatch): DeliveredConsumerBatch | undefined {
    try {
      const { frame, nulled } =
        delivered.frame !== undefined
          ? { frame: delivered.frame, nulled: delivered.nulled ?? 0 }
          : entriesToFrame(delivered.entries, this.options.frame);
      this.engine.stats.nulled += nulled;
      return new DeliveredConsumerBatch(
        this.engine,
        delivered.entries,
        this.columns.apply(frame),
        delivered.deliveries,
        delivered.source,
      );
    } catch (error) {
      this.options.onEvent({
        type: "batch-failed",
        entries: delivered.entries.map(({ stream, id }) => ({ stream, id })),
        error,
      });
      this.engine.release(delivered.entries, describeFailure(error));
      return undefined;
    }
  }

  private begin(): void {
    if (this.active)
      throw new InvalidArgumentError("consumer", "this consumer is already running; create one per loop");
    this.active = true;
  }
}

/** Waits for `work` (whose failure is rethrown) at most `ms`: true when it settled in time. */
async function settleWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  if (ms === Number.POSITIVE_INFINITY) {
    await work;
    return true;
  }
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true as const), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

function handlerTimeout(ms: number): PolarsRedisError {
  const error = new PolarsRedisError({
    code: "TIMEOUT",
    message: `the handler did not settle within handlerTimeoutMs (${ms} ms); its entries were handed back`,
    retryable: true,
  });
  error.name = "HandlerTimeoutError";
  return error;
}
