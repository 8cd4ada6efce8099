import { InvalidArgumentError } from "@polars-redis/core";
import { checkOptions } from "@polars-redis/core/internal";
import type { DataFrame } from "nodejs-polars";
import { ITER_PUBSUB_OPTION_NAMES } from "../internal/option-names.js";
import { requireNonNegativeNumber, requirePositiveInteger } from "../internal/validate.js";
import { MessageBuffer } from "./message-buffer.js";
import { messagesToFrame } from "./messages-to-frame.js";
import { type PubSubOptions, type ResolvedPubSubOptions, resolvePubSubOptions } from "./pubsub-options.js";
import type { PubSubStats } from "./pubsub-stats.js";
import { type PubSubTarget, Subscriber } from "./subscriber.js";

export interface IterPubSubOptions extends PubSubOptions {
  /** Count window: a batch is handed out as soon as this many messages are waiting. [100] */
  batchSize?: number | undefined;
  /** Time window: a batch is handed out this long after its first message arrived, however few. [1000] */
  windowMs?: number | undefined;
}

export interface PubSubBatch {
  readonly frame: DataFrame;
  /** Messages dropped (buffer full) since the previous batch. */
  readonly dropped: number;
}

export interface PubSubIterable extends AsyncIterable<PubSubBatch> {
  /** Resolves once SUBSCRIBE / PSUBSCRIBE are confirmed (messages published before that are not received). */
  subscribed(): Promise<void>;
  readonly stats: PubSubStats;
  /** Unsubscribes and ends the iteration (after handing out what is buffered). */
  close(): Promise<void>;
}

/**
 * Pub/Sub messages as DataFrame micro-batches, by count or time window, through a bounded buffer. Iteration
 * ends when `signal` fires or `close()` is called; messages still buffered then come out as a last batch.
 */
export function iterPubSub(target: PubSubTarget, options: IterPubSubOptions): PubSubIterable {
  checkOptions(options, ITER_PUBSUB_OPTION_NAMES, { function: "iterPubSub" });
  const resolved = resolvePubSubOptions(options);
  const batchSize = requirePositiveInteger("batchSize", options.batchSize ?? 100);
  const windowMs = requireNonNegativeNumber("windowMs", options.windowMs ?? 1000);
  if (batchSize > resolved.maxBuffer) {
    throw new InvalidArgumentError("batchSize", `must not exceed maxBuffer (${resolved.maxBuffer})`);
  }
  return new PubSubWindows(target, resolved, batchSize, windowMs);
}

class PubSubWindows implements PubSubIterable {
  private readonly buffer: MessageBuffer;
  private readonly subscriber: Subscriber;
  private readonly stopController = new AbortController();
  private subscription: Promise<void> | undefined;
  private delivered = 0;
  private malformed = 0;
  private nulled = 0;
  private droppedReported = 0;
  private iterating = false;

  constructor(
    target: PubSubTarget,
    private readonly options: ResolvedPubSubOptions,
    private readonly batchSize: number,
    private readonly windowMs: number,
  ) {
    this.buffer = new MessageBuffer(options.maxBuffer, options.overflow);
    this.subscriber = new Subscriber(target, this.buffer);
    options.signal?.addEventListener("abort", () => this.stopController.abort(), { once: true });
    if (options.signal?.aborted) this.stopController.abort();
  }

  get stats(): PubSubStats {
    return {
      received: this.subscriber.received,
      delivered: this.delivered,
      dropped: this.buffer.dropped,
      malformed: this.malformed,
      nulled: this.nulled,
      reconnects: this.subscriber.reconnects,
      buffered: this.buffer.size,
    };
  }

  subscribed(): Promise<void> {
    this.subscription ??= this.subscriber.subscribe(
      this.options.channels,
      this.options.patterns,
      this.options.shardChannels,
    );
    return this.subscription;
  }

  async close(): Promise<void> {
    this.stopController.abort();
    await this.subscriber.close();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<PubSubBatch> {
    if (this.iterating)
      throw new InvalidArgumentError("iterPubSub", "this subscription is already being iterated");
    this.iterating = true;
    try {
      await this.subscribed();
      const signal = this.stopController.signal;
      while (!signal.aborted) {
        const oldest = this.buffer.oldestAt;
        if (
          this.buffer.size >= this.batchSize ||
          (oldest !== undefined && Date.now() - oldest >= this.windowMs)
        ) {
          yield this.batch();
          continue;
        }
        const waitMs = oldest === undefined ? this.windowMs || 1000 : this.windowMs - (Date.now() - oldest);
        await this.subscriber.waitForMessage(waitMs, signal);
      }
      while (this.buffer.size > 0) yield this.batch();
    } finally {
      await this.close();
    }
  }

  private batch(): PubSubBatch {
    const messages = this.buffer.take(this.batchSize);
    const { frame, malformed, nulled } = messagesToFrame(messages, this.options);
    this.delivered += messages.length;
    this.malformed += malformed;
    this.nulled += nulled;
    const dropped = this.buffer.dropped - this.droppedReported;
    this.droppedReported = this.buffer.dropped;
    return { frame, dropped };
  }
}
