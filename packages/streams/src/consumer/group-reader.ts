import {
  InvalidArgumentError,
  RedisCommandError,
  type RedisConnection,
  StreamGapError,
} from "@polars-redis/core";
import { sleep } from "@polars-redis/core/internal";
import { isTransient } from "../internal/transient.js";
import { acknowledge } from "./acks.js";
import type { ResolvedConsumerOptions } from "./consumer-options.js";
import type { ConsumerStats } from "./consumer-stats.js";
import { ensureGroup } from "./ensure-group.js";
import { type DeliveredBatch, EntryBook, type EntryRef } from "./entry-book.js";
import { GroupChecks } from "./group-checks.js";
import { Heartbeat } from "./heartbeat.js";
import { IdleClaims } from "./idle-claims.js";
import { NewEntries } from "./new-entries.js";
import { PendingWalk } from "./pending-walk.js";

export type { DeliveredBatch, EntryRef } from "./entry-book.js";

/**
 * The engine behind createConsumer and createRouter: one consumer of a Redis Streams consumer group. It
 * schedules its parts; each concern lives in its own file:
 * 1. its own pending entries first (pending-walk.ts: XPENDING + XCLAIM, dead letters, entries lost while pending);
 * 2. idle entries of other consumers (idle-claims.ts: XAUTOCLAIM), which join the own pending entries;
 * 3. the group check (group-checks.ts, check-group.ts: gaps, lag, pending);
 * 4. new entries (new-entries.ts: blocking XREADGROUP on a dedicated connection with a watchdog, or pipelined
 *    reads when behind);
 * plus acknowledgements (acks.ts), the heartbeat that keeps entries in flight from being claimed
 * (heartbeat.ts), and the book of entries in flight, handed back and lost (entry-book.ts).
 * Transient failures (connection loss, timeouts, LOADING after a restart) are retried with backoff, and every
 * retry re-reads the own pending entries first, so an entry delivered by a read whose answer was lost is
 * recovered. Nothing is acknowledged here unless the caller says so (`ack`).
 */
export class GroupReader {
  private readonly book: EntryBook;
  private readonly pending: PendingWalk;
  private readonly claims: IdleClaims;
  private readonly checks: GroupChecks;
  private readonly newEntries: NewEntries;
  private readonly heartbeat: Heartbeat;
  private readonly stopController = new AbortController();
  private groupsReady = false;
  private stopping = false;

  constructor(
    private readonly conn: RedisConnection,
    private readonly options: ResolvedConsumerOptions,
  ) {
    this.book = new EntryBook(conn, options);
    this.pending = new PendingWalk(conn, options, this.book);
    const walkAgain = () => this.pending.markDirty();
    this.claims = new IdleClaims(conn, options, this.book, walkAgain);
    this.checks = new GroupChecks(conn, options, this.book);
    this.newEntries = new NewEntries(conn, options, this.book, walkAgain);
    this.heartbeat = new Heartbeat(conn, options, this.book);
    if (options.signal?.aborted) this.stop();
    options.signal?.addEventListener("abort", () => this.stop(), { once: true });
  }

  get stats(): ConsumerStats {
    return this.book.stats;
  }

  /** Fires when the consumer is asked to stop. */
  get signal(): AbortSignal {
    return this.stopController.signal;
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  /**
   * The next batch, or undefined once stopping. Throws only for non-transient errors (and gaps, by policy).
   * With `wait: false` it does not block: undefined when nothing is available right now (or a transient error
   * occurred, which the next waiting call retries); `reads` then pipelines that many XREADGROUP commands.
   */
  async next(options: { wait?: boolean; reads?: number } = {}): Promise<DeliveredBatch | undefined> {
    const wait = options.wait ?? true;
    const reads = wait ? 1 : Math.max(1, options.reads ?? 1);
    let attempt = 0;
    while (!this.stopping) {
      try {
        const batch = await this.step(wait, reads);
        attempt = 0;
        if (batch !== undefined) return this.deliver(batch);
        if (!wait) return undefined;
      } catch (error) {
        if (this.stopping) break;
        if (!wait && isTransient(error)) {
          this.pending.markDirty();
          return undefined;
        }
        if (StreamGapError.isInstance(error)) throw error;
        if (isNoGroup(error)) {
          if (!this.options.createGroup) throw missingGroupError(this.options, error);
          this.groupsReady = false;
        } else if (!isTransient(error)) {
          throw error;
        }
        attempt++;
        const delayMs = this.options.retryBackoff(attempt);
        this.book.stats.retries++;
        this.book.emit({ type: "read-retry", error, attempt, delayMs });
        this.pending.markDirty();
        await sleep(delayMs, this.stopController.signal);
      }
    }
    return undefined;
  }

  /** Acknowledges entries (XACK); see acks.ts. */
  ack(entries: readonly EntryRef[]): Promise<number> {
    return acknowledge(this.conn, this.options, this.book, entries, () => this.pending.markDirty());
  }

  /** Hands entries back unprocessed: they are delivered again (alone) after the redelivery delay. */
  release(entries: readonly EntryRef[], reason: string): void {
    this.book.handBack(entries, reason);
    this.pending.markDirty();
  }

  /** Forgets entries without acking or handing them back: they stay pending, claimable after claimIdleMs. */
  abandon(entries: readonly EntryRef[]): void {
    for (const { stream, id } of entries) this.book.inFlight.delete(stream, id);
    this.book.stats.inFlight = this.book.inFlight.size;
  }

  /** Stops handing out batches; a blocking read in progress ends at once. In-flight entries can still be acked. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.stopController.abort();
    void this.newEntries.unblock();
  }

  async close(): Promise<void> {
    this.stop();
    this.heartbeat.stop();
    await this.newEntries.close();
  }

  private async step(wait: boolean, reads: number): Promise<DeliveredBatch | undefined> {
    if (!this.groupsReady) {
      if (this.options.createGroup) {
        for (const stream of this.options.streams) {
          await ensureGroup(this.conn, stream, this.options.group, this.options.startId);
        }
      }
      this.groupsReady = true;
    }
    const own = await this.pending.next();
    if (own !== undefined) return own;
    if (await this.claims.runIfDue()) return undefined; // claimed entries come through the pending walk
    if ((await this.checks.runIfDue()) === "nogroup" && this.options.createGroup) this.groupsReady = false;
    // Wake up in time for due retries, claims and checks.
    const now = Date.now();
    const wakeAt = Math.min(
      now + this.options.blockMs,
      this.checks.dueAt,
      this.claims.dueAt,
      this.pending.dueAt,
    );
    return this.newEntries.read(wait ? Math.max(0, wakeAt - now) : 0, reads);
  }

  private deliver(batch: DeliveredBatch): DeliveredBatch {
    const { stats, inFlight } = this.book;
    for (const entry of batch.entries) inFlight.add(entry.stream, entry.id);
    stats.batches++;
    stats.delivered += batch.entries.length;
    for (const count of batch.deliveries) if (count > 1) stats.redelivered++;
    stats.inFlight = inFlight.size;
    return batch;
  }
}

function isNoGroup(error: unknown): boolean {
  return RedisCommandError.isInstance(error) && error.redisCode === "NOGROUP";
}

function missingGroupError(options: ResolvedConsumerOptions, cause: unknown): InvalidArgumentError {
  return new InvalidArgumentError(
    "group",
    `consumer group ${JSON.stringify(options.group)} does not exist on ${options.streams.join(", ")}; create it, or let the consumer create it (createGroup: true)`,
    cause,
  );
}
