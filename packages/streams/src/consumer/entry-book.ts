import { isCommandError, type RedisConnection } from "@polars-redis/core";
import { replyAt } from "@polars-redis/core/internal";
import type { DataFrame } from "nodejs-polars";
import type { StreamEntry } from "../frame/stream-entry.js";
import { missingIds } from "./commands/xclaim.js";
import type { ConsumerEvent } from "./consumer-events.js";
import type { ResolvedConsumerOptions } from "./consumer-options.js";
import { type ConsumerStats, emptyConsumerStats } from "./consumer-stats.js";
import { InFlightEntries } from "./in-flight-entries.js";

/** Entries handed out together, with how many times each has been delivered (this delivery included). */
export interface DeliveredBatch {
  /** The entries; read by the fast path, they come with their frame and without `fields`. */
  entries: StreamEntry[];
  deliveries: number[];
  /** "pending": this consumer's own unacknowledged or claimed entries; "new": never delivered before. */
  source: "pending" | "new";
  /** The entries as a frame already (fast path), and the values it nulled (onError "null"). */
  frame?: DataFrame;
  nulled?: number;
}

/** A reference to one entry, for ack and release. */
export interface EntryRef {
  stream: string;
  id: string;
}

const MAX_REMEMBERED_REASONS = 100_000;

/**
 * What one consumer knows about the entries it handled, shared by its parts (pending walk, claims, acks,
 * heartbeat): the entries in flight, the ones handed back (suspects, delivered alone) and why, the counters,
 * and the events.
 */
export class EntryBook {
  readonly stats: ConsumerStats = emptyConsumerStats();
  readonly inFlight = new InFlightEntries();
  /** Why entries were handed back, for dead-letter records: "stream\nid" → reason. */
  private readonly reasons = new Map<string, string>();
  /** Entries that failed a handler: they are delivered alone, so one poison entry cannot sink a batch. */
  private readonly suspects = new Set<string>();

  constructor(
    private readonly conn: RedisConnection,
    private readonly options: ResolvedConsumerOptions,
  ) {}

  emit(event: ConsumerEvent): void {
    this.options.onEvent(event);
  }

  isSuspect(stream: string, id: string): boolean {
    return this.suspects.size > 0 && this.suspects.has(entryKey(stream, id));
  }

  /** Why the entry was last handed back, if this process did it. */
  reasonOf(stream: string, id: string): string | undefined {
    return this.reasons.size === 0 ? undefined : this.reasons.get(entryKey(stream, id));
  }

  /** Entries handed back unprocessed: no longer in flight; delivered again alone, with `reason` remembered. */
  handBack(entries: readonly EntryRef[], reason: string): number {
    let count = 0;
    for (const { stream, id } of entries) {
      if (!this.inFlight.delete(stream, id)) continue;
      const key = entryKey(stream, id);
      this.suspects.add(key);
      this.reasons.delete(key);
      this.reasons.set(key, reason);
      count++;
    }
    while (this.reasons.size > MAX_REMEMBERED_REASONS) this.reasons.delete(this.reasons.keys().next().value!);
    this.stats.failed += count;
    this.stats.inFlight = this.inFlight.size;
    return count;
  }

  /** The entry is done here (acknowledged, dead-lettered, lost). */
  forget(stream: string, id: string): void {
    this.inFlight.delete(stream, id);
    // Usually both are empty: skip building the key (it costs more than the rest of an ack's bookkeeping).
    if (this.suspects.size === 0 && this.reasons.size === 0) return;
    const key = entryKey(stream, id);
    this.suspects.delete(key);
    this.reasons.delete(key);
  }

  reportLost(stream: string, ids: readonly string[], reason: string): void {
    if (ids.length === 0) return;
    for (const id of ids) this.forget(stream, id);
    this.stats.lost += ids.length;
    this.emit({ type: "entries-lost", stream, ids: [...ids], reason });
  }

  /**
   * Ids asked for but not returned by XCLAIM: either deleted (Redis 7 then drops them from the pending list:
   * lost) or taken by another consumer meanwhile (still in the stream: not ours to report).
   */
  async reportVanished(
    stream: string,
    askedIds: readonly string[],
    returned: readonly StreamEntry[],
    reason: string,
  ): Promise<void> {
    const missing = missingIds(askedIds, returned);
    if (missing.length === 0) return;
    const exists = await this.conn.batch(missing.map((id) => ["XRANGE", stream, id, id]));
    const lost = missing.filter((_, index) => {
      const reply = replyAt(exists, index);
      if (isCommandError(reply)) throw reply;
      return Array.isArray(reply) && reply.length === 0;
    });
    this.reportLost(stream, lost, reason);
  }
}

function entryKey(stream: string, id: string): string {
  return `${stream}\n${id}`;
}
