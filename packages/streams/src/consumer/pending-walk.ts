import type { RedisConnection } from "@polars-redis/core";
import type { StreamEntry } from "../frame/stream-entry.js";
import { XCLAIM } from "./commands/xclaim.js";
import { type PendingInfo, pageAfter, XPENDING } from "./commands/xpending.js";
import type { ResolvedConsumerOptions } from "./consumer-options.js";
import { type DeadLetterRequest, moveToDeadLetter } from "./dead-letter.js";
import type { DeliveredBatch, EntryBook } from "./entry-book.js";

const PENDING_SWEEP_MS = 10_000;

/**
 * The walk through this consumer's own pending entries (delivered before, never acknowledged: a crash, a failed
 * handler, a claim, a read whose answer was lost): a page of XPENDING (ids, idle times, delivery counts), then
 * XCLAIM to itself for their data (which counts this delivery). Entries delivered `maxDeliveries` times go to
 * the dead-letter stream; entries that vanished while pending are reported lost; entries this process handed
 * back wait for their redelivery delay and come alone.
 */
export class PendingWalk {
  private dirty = true;
  private cursor = new Map<string, string>();
  private retryAt = 0;
  /** During a walk: when the first entry skipped for its delay is due. */
  private walkRetryAt = Number.POSITIVE_INFINITY;
  private nextSweepAt = Date.now() + PENDING_SWEEP_MS;

  constructor(
    private readonly conn: RedisConnection,
    private readonly options: ResolvedConsumerOptions,
    private readonly book: EntryBook,
  ) {}

  /** Something may have left entries in the pending list: walk it (again) from the start. */
  markDirty(): void {
    this.dirty = true;
    this.cursor = new Map();
    this.retryAt = 0;
    this.walkRetryAt = Number.POSITIVE_INFINITY;
  }

  get isDirty(): boolean {
    return this.dirty;
  }

  /** When the walk wants to run next (for the blocking read's deadline); Infinity when nothing is due. */
  get dueAt(): number {
    return this.dirty ? this.retryAt : Number.POSITIVE_INFINITY;
  }

  /** The next batch of own pending entries, or undefined when there is none (now). */
  async next(): Promise<DeliveredBatch | undefined> {
    if (Date.now() >= this.nextSweepAt) {
      // A read whose answer was lost can leave entries in this consumer's pending list after the last walk
      // (with claiming off, nothing else would find them): walk it again now and then.
      this.nextSweepAt = Date.now() + PENDING_SWEEP_MS;
      if (!this.dirty) this.markDirty();
    }
    if (!this.dirty || Date.now() < this.retryAt) return undefined;
    const { group, consumer, batchSize, maxDeliveries } = this.options;
    const pageSize = Math.max(batchSize, 100);
    for (const stream of this.options.streams) {
      for (;;) {
        const cursor = this.cursor.get(stream);
        if (cursor === "") break; // this stream is done for this walk
        const page = XPENDING.transformReply(
          await this.conn.call(
            ...XPENDING.transformArguments(stream, group, {
              start: pageAfter(cursor),
              end: "+",
              count: pageSize,
              consumer,
            }),
          ),
        );
        if (page.length === 0) {
          this.cursor.set(stream, "");
          break;
        }
        const now = Date.now();
        const deadLetters: PendingInfo[] = [];
        const toDeliver: PendingInfo[] = [];
        let lastHandled = page[page.length - 1]!.id;
        for (const info of page) {
          if (this.book.inFlight.has(stream, info.id)) continue;
          if (info.deliveries >= maxDeliveries) {
            deadLetters.push(info);
            continue;
          }
          // Entries this process handed back wait before their next delivery; leftovers of a crash do not.
          const suspect = this.book.isSuspect(stream, info.id);
          const waitMs = suspect ? this.options.redeliveryDelay(info.deliveries) - info.idleMs : 0;
          if (waitMs > 0) {
            this.walkRetryAt = Math.min(this.walkRetryAt, now + waitMs);
            continue;
          }
          if (toDeliver.length > 0 && (suspect || toDeliver.length >= batchSize)) {
            lastHandled = toDeliver[toDeliver.length - 1]!.id;
            break;
          }
          toDeliver.push(info);
          if (suspect) {
            lastHandled = info.id;
            break;
          }
        }
        this.cursor.set(stream, lastHandled);
        await this.deadLetter(stream, deadLetters);
        const claimed = await this.claimOwn(stream, toDeliver);
        if (claimed.entries.length > 0) return { ...claimed, source: "pending" };
      }
    }
    // Walked everything: start over next time; wait for entries whose redelivery delay has not passed.
    this.cursor = new Map();
    if (this.walkRetryAt === Number.POSITIVE_INFINITY) this.dirty = false;
    else this.retryAt = this.walkRetryAt;
    this.walkRetryAt = Number.POSITIVE_INFINITY;
    return undefined;
  }

  /** XCLAIM own pending entries (to get their data); the ones that vanished are reported lost. */
  private async claimOwn(
    stream: string,
    infos: readonly PendingInfo[],
  ): Promise<{ entries: StreamEntry[]; deliveries: number[] }> {
    if (infos.length === 0) return { entries: [], deliveries: [] };
    const entries = await this.claim(stream, infos);
    const deliveriesById = new Map(infos.map((info) => [info.id, info.deliveries + 1]));
    return { entries, deliveries: entries.map((entry) => deliveriesById.get(entry.id) ?? 1) };
  }

  /**
   * XCLAIM with the smallest idle time seen, so an entry another consumer claimed in the meantime (a smaller
   * idle time) is not taken back; ids not returned are checked and reported lost when deleted.
   */
  private async claim(stream: string, infos: readonly PendingInfo[]): Promise<StreamEntry[]> {
    const ids = infos.map((info) => info.id);
    const minIdle = Math.min(...infos.map((info) => info.idleMs));
    const { group, consumer } = this.options;
    const entries = XCLAIM.transformReply(
      stream,
      await this.conn.call(...XCLAIM.transformArguments(stream, group, consumer, minIdle, ids)),
    );
    await this.book.reportVanished(stream, ids, entries, "deleted or trimmed while pending");
    return entries;
  }

  private async deadLetter(stream: string, infos: readonly PendingInfo[]): Promise<void> {
    if (infos.length === 0) return;
    const { group, consumer, maxDeliveries } = this.options;
    const entries = await this.claim(stream, infos);
    const deliveriesById = new Map(infos.map((info) => [info.id, info.deliveries]));
    const requests: DeadLetterRequest[] = entries.map((entry) => {
      const deliveries = deliveriesById.get(entry.id) ?? maxDeliveries;
      const failure = this.book.reasonOf(stream, entry.id);
      const reason = `delivered ${deliveries} times without an ack (maxDeliveries ${maxDeliveries})${failure === undefined ? "" : `; last failure: ${failure}`}`;
      return { entry, deliveries, reason };
    });
    const moved = await moveToDeadLetter(this.conn, requests, {
      group,
      consumer,
      deadLetterStream: this.options.deadLetterStream,
      maxLength: this.options.deadLetterMaxLength,
    });
    if (moved.length === 0) return;
    for (const { entry } of moved) this.book.forget(stream, entry.id);
    this.book.stats.deadLettered += moved.length;
    this.book.emit({
      type: "entries-dead-lettered",
      stream,
      deadLetterStream: this.options.deadLetterStream(stream),
      ids: moved.map(({ entry }) => entry.id),
      reasons: moved.map(({ reason }) => reason),
    });
  }
}
