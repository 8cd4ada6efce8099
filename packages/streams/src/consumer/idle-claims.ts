import type { RedisConnection } from "@polars-redis/core";
import { XAUTOCLAIM } from "./commands/xautoclaim.js";
import type { ResolvedConsumerOptions } from "./consumer-options.js";
import type { EntryBook } from "./entry-book.js";

/**
 * Takes over entries idle longer than `claimIdleMs` at any consumer of the group (a dead or stuck one), every
 * `claimIntervalMs`, with XAUTOCLAIM ... JUSTID (delivery counts unchanged). Claimed entries join this
 * consumer's pending list: `onClaimed` asks for a walk of it. Entries deleted while pending are reported lost.
 */
export class IdleClaims {
  private readonly cursor = new Map<string, string>();
  private nextAt: number;

  constructor(
    private readonly conn: RedisConnection,
    private readonly options: ResolvedConsumerOptions,
    private readonly book: EntryBook,
    private readonly onClaimed: () => void,
  ) {
    this.nextAt = Date.now() + Math.min(options.claimIntervalMs, 1000);
  }

  /** When the next round is due; Infinity when claiming is off. */
  get dueAt(): number {
    return this.options.claimIdleMs > 0 ? this.nextAt : Number.POSITIVE_INFINITY;
  }

  /** Runs a round when one is due; true when it claimed something. */
  async runIfDue(): Promise<boolean> {
    if (Date.now() < this.dueAt) return false;
    const claimed = await this.round();
    this.nextAt = Date.now() + this.options.claimIntervalMs;
    return claimed;
  }

  private async round(): Promise<boolean> {
    const { group, consumer, claimIdleMs, batchSize } = this.options;
    let any = false;
    for (const stream of this.options.streams) {
      let budget = batchSize * 10;
      do {
        const { cursor, claimedIds, deletedIds } = XAUTOCLAIM.transformReply(
          await this.conn.call(
            ...XAUTOCLAIM.transformArguments(
              stream,
              group,
              consumer,
              claimIdleMs,
              this.cursor.get(stream) ?? "0-0",
              batchSize,
            ),
          ),
        );
        this.cursor.set(stream, cursor);
        this.book.reportLost(stream, deletedIds, "deleted or trimmed while pending at another consumer");
        const claimed = claimedIds.filter((id) => !this.book.inFlight.has(stream, id));
        // Entries this process handed back itself are not "taken over" (it is their consumer already).
        const taken = claimed.filter((id) => this.book.reasonOf(stream, id) === undefined);
        if (taken.length > 0) {
          this.book.stats.claimed += taken.length;
          this.book.emit({ type: "entries-claimed", stream, ids: taken });
        }
        if (claimed.length > 0) {
          any = true;
          this.onClaimed();
        }
        budget -= batchSize;
        if (cursor === "0-0") break;
      } while (budget > 0);
    }
    return any;
  }
}
