import {
  type BatchReply,
  type Command,
  InvalidArgumentError,
  isCommandError,
  PolarsRedisError,
  type RedisArgument,
  RedisCommandError,
  type RedisConnection,
  SchemaMismatchError,
  StreamGapError,
} from "@polars-redis/core";
import {
  commandPipeFor,
  encodeCommands,
  RespErrorReply,
  sleep,
  takesRawPath,
} from "@polars-redis/core/internal";
import type { DataFrame } from "nodejs-polars";
import { decodedToFrame, type FastFrameLayout, fastFrameLayout } from "../fast/fast-frame.js";
import { RawStreamReads } from "../fast/raw-stream-reads.js";
import { parseEntries, parseMultiStreamReply, type StreamEntry } from "../frame/stream-entry.js";
import { groupBySlot } from "../internal/slot-groups.js";
import { isTransient } from "../internal/transient.js";
import { BlockingReader } from "./blocking-reader.js";
import { checkGroup, type GroupCheck, nextStreamId } from "./check-group.js";
import type { ConsumerEvent } from "./consumer-events.js";
import type { ResolvedConsumerOptions } from "./consumer-options.js";
import { type ConsumerStats, emptyConsumerStats } from "./consumer-stats.js";
import { type DeadLetterRequest, moveToDeadLetter } from "./dead-letter.js";
import { ensureGroup } from "./ensure-group.js";
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

interface PendingInfo {
  id: string;
  idleMs: number;
  deliveries: number;
}

const ACK_ATTEMPTS = 8;
const NO_FIELDS: readonly string[] = [];
const PENDING_SWEEP_MS = 10_000;
const MAX_REMEMBERED_REASONS = 100_000;
const IDS_PER_COMMAND = 1000;

/**
 * The engine behind createConsumer and createRouter: one consumer of a Redis Streams consumer group.
 *
 * Order of work on each call to `next()`:
 * 1. its own pending entries (delivered before, never acknowledged: a crash, a failed handler, a claim),
 *    with delivery counts from XPENDING; entries delivered `maxDeliveries` times go to the dead-letter stream;
 *    entries that vanished while pending are reported lost;
 * 2. idle entries of other consumers, taken over with XAUTOCLAIM (they join the own pending entries);
 * 3. the group check (gap detection, lag, pending);
 * 4. new entries, with a blocking XREADGROUP on a dedicated connection guarded by a watchdog.
 * Transient failures (connection loss, timeouts, LOADING after a restart) are retried with backoff, and every
 * retry re-reads the own pending entries first, so an entry delivered by a read whose answer was lost is
 * recovered. Nothing is acknowledged here unless the caller says so (`ack`).
 */
export class GroupReader {
  readonly stats: ConsumerStats = emptyConsumerStats();
  private readonly inFlight = new InFlightEntries();
  /** Why entries were handed back, for dead-letter records: "stream\nid" → reason. */
  private readonly reasons = new Map<string, string>();
  /** Entries that failed a handler: they are delivered alone, so one poison entry cannot sink a batch. */
  private readonly suspects = new Set<string>();
  private readonly stopController = new AbortController();
  private readonly reader: BlockingReader;
  private readonly slotGroups: string[][];
  private groupsReady = false;
  private pendingDirty = true;
  private pendingCursor = new Map<string, string>();
  private pendingRetryAt = 0;
  /** During a walk through the own pending entries: when the first entry skipped for its delay is due. */
  private walkRetryAt = Number.POSITIVE_INFINITY;
  private readonly claimCursor = new Map<string, string>();
  private nextClaimAt = 0;
  private nextCheckAt = 0;
  private nextSweepAt = Date.now() + PENDING_SWEEP_MS;
  private rotation = 0;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  /** Reads decoded straight into columns over a raw channel, when the connection and the columns allow it. */
  private readonly fast: { reads: RawStreamReads; layout: FastFrameLayout } | undefined;
  private heartbeatRunning = false;
  private stopping = false;

  constructor(
    private readonly conn: RedisConnection,
    private readonly options: ResolvedConsumerOptions,
  ) {
    this.reader = new BlockingReader(conn, options.watchdogMs, (waitedMs) => {
      this.stats.hungReads++;
      this.emit({ type: "read-hung", waitedMs });
    });
    this.slotGroups = groupBySlot(conn, options.streams);
    const layout = fastFrameLayout(options.frame);
    this.fast =
      layout !== undefined && this.slotGroups.length === 1 && RawStreamReads.available(conn)
        ? { reads: new RawStreamReads(conn, layout.wanted), layout }
        : undefined;
    this.nextClaimAt = Date.now() + Math.min(options.claimIntervalMs, 1000);
    if (options.signal?.aborted) this.stop();
    options.signal?.addEventListener("abort", () => this.stop(), { once: true });
    if (options.claimIdleMs > 0 && options.heartbeatIntervalMs > 0) {
      this.heartbeatTimer = setInterval(() => void this.heartbeat(), options.heartbeatIntervalMs);
      this.heartbeatTimer.unref();
    }
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
          this.markPendingDirty();
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
        this.stats.retries++;
        this.emit({ type: "read-retry", error, attempt, delayMs });
        this.markPendingDirty();
        await sleep(delayMs, this.stopController.signal);
      }
    }
    return undefined;
  }

  /**
   * Acknowledges entries (XACK), retrying transient failures. Entries whose ack fails for good are handed back
   * (they will be delivered again) and reported with an `ack-failed` event.
   */
  async ack(entries: readonly EntryRef[]): Promise<number> {
    if (entries.length === 0) return 0;
    let remaining = commandsPerStream(entries, (stream, ids) => ["XACK", stream, this.options.group, ...ids]);
    let acked = 0;
    for (let attempt = 1; remaining.length > 0; attempt++) {
      const replies: (BatchReply | PolarsRedisError)[] = await sendAcks(
        this.conn,
        remaining.map(([command]) => command),
      ).catch((error: unknown) => remaining.map(() => toError(error)));
      const failed: typeof remaining = [];
      replies.forEach((reply, index) => {
        const [command, stream, ids] = remaining[index]!;
        if (!(reply instanceof Error)) {
          acked += ids.length;
          for (const id of ids) this.forget(stream, id);
          return;
        }
        if (reply.retryable && attempt < ACK_ATTEMPTS) {
          failed.push([command, stream, ids]);
          return;
        }
        this.emit({ type: "ack-failed", stream, ids, error: reply });
        for (const id of ids) this.inFlight.delete(stream, id);
        this.markPendingDirty();
      });
      remaining = failed;
      if (remaining.length > 0) {
        this.stats.retries++;
        await sleep(this.options.retryBackoff(attempt));
      }
    }
    this.stats.acked += acked;
    this.stats.inFlight = this.inFlight.size;
    return acked;
  }

  /** Hands entries back unprocessed: they are delivered again (alone) after the redelivery delay. */
  release(entries: readonly EntryRef[], reason: string): void {
    for (const { stream, id } of entries) {
      if (!this.inFlight.delete(stream, id)) continue;
      const key = entryKey(stream, id);
      this.suspects.add(key);
      this.reasons.delete(key);
      this.reasons.set(key, reason);
      this.stats.failed++;
    }
    while (this.reasons.size > MAX_REMEMBERED_REASONS) this.reasons.delete(this.reasons.keys().next().value!);
    this.stats.inFlight = this.inFlight.size;
    this.markPendingDirty();
  }

  /** Forgets entries without acking or handing them back: they stay pending, claimable after claimIdleMs. */
  abandon(entries: readonly EntryRef[]): void {
    for (const { stream, id } of entries) this.inFlight.delete(stream, id);
    this.stats.inFlight = this.inFlight.size;
  }

  /** Stops handing out batches; a blocking read in progress ends at once. In-flight entries can still be acked. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.stopController.abort();
    void this.reader.unblock();
  }

  async close(): Promise<void> {
    this.stop();
    clearInterval(this.heartbeatTimer);
    this.fast?.reads.close();
    await this.reader.close();
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
    if (Date.now() >= this.nextSweepAt) {
      // A read whose answer was lost can leave entries in this consumer's pending list after the last walk
      // (with claiming off, nothing else would find them): walk it again now and then.
      this.nextSweepAt = Date.now() + PENDING_SWEEP_MS;
      if (!this.pendingDirty) this.markPendingDirty();
    }
    if (this.pendingDirty && Date.now() >= this.pendingRetryAt) {
      const batch = await this.readOwnPending();
      if (batch !== undefined) return batch;
    }
    if (this.options.claimIdleMs > 0 && Date.now() >= this.nextClaimAt) {
      await this.claimIdle();
      this.nextClaimAt = Date.now() + this.options.claimIntervalMs;
      if (this.pendingDirty) return undefined;
    }
    if (Date.now() >= this.nextCheckAt) {
      await this.checkGroups();
      this.nextCheckAt = Date.now() + this.options.checkIntervalMs;
    }
    // Wake up in time for due retries, claims and checks.
    const now = Date.now();
    let wakeAt = Math.min(this.nextCheckAt, now + this.options.blockMs);
    if (this.options.claimIdleMs > 0) wakeAt = Math.min(wakeAt, this.nextClaimAt);
    if (this.pendingDirty) wakeAt = Math.min(wakeAt, this.pendingRetryAt);
    return this.readNew(wait ? Math.max(0, wakeAt - now) : 0, reads);
  }

  private deliver(batch: DeliveredBatch): DeliveredBatch {
    for (const entry of batch.entries) this.inFlight.add(entry.stream, entry.id);
    this.stats.batches++;
    this.stats.delivered += batch.entries.length;
    for (const count of batch.deliveries) if (count > 1) this.stats.redelivered++;
    this.stats.inFlight = this.inFlight.size;
    return batch;
  }

  /** New entries: one XREADGROUP ... BLOCK over all streams (per slot group on a cluster). */
  /**
   * New entries: one XREADGROUP ... BLOCK over all streams (per slot group on a cluster). Without blocking,
   * `reads` XREADGROUP commands go out in one pipeline: a consumer that is behind gets `reads` batches in one
   * round trip.
   */
  private async readNew(blockMs: number, reads = 1): Promise<DeliveredBatch | undefined> {
    const { group, consumer, batchSize } = this.options;
    const readArgs = (keys: readonly string[], block: number | undefined): RedisArgument[] => [
      ...["GROUP", group, consumer, "COUNT", batchSize],
      ...(block === undefined ? [] : ["BLOCK", block]),
      "STREAMS",
      ...keys,
      ...keys.map(() => ">"),
    ];
    const toBatch = (reply: unknown): DeliveredBatch | undefined => {
      const { entries } = parseMultiStreamReply(reply);
      if (entries.length === 0) {
        // Nothing new for the group in any of its streams: the lag is zero now.
        if (this.slotGroups.length === 1) this.stats.lag = 0;
        return undefined;
      }
      return { entries, deliveries: entries.map(() => 1), source: "new" };
    };
    // BLOCK 0 would wait forever: a due deadline reads without blocking.
    const block = blockMs >= 1 ? Math.floor(blockMs) : undefined;
    if (this.slotGroups.length === 1 && block !== undefined) {
      return toBatch(await this.reader.read("XREADGROUP", readArgs(this.slotGroups[0]!, block), block));
    }
    if (this.fast !== undefined && block === undefined)
      return this.readNewFast(readArgs(this.slotGroups[0]!, undefined), reads);
    // Keys in several cluster slots cannot share one command: read all without blocking (then block on one
    // slot group at a time, for a short while, so no group waits long for its turn).
    const commands: Command[] = [];
    for (let read = 0; read < reads; read++) {
      for (const keys of this.slotGroups) commands.push(["XREADGROUP", ...readArgs(keys, undefined)]);
    }
    const replies = await this.conn.batch(commands);
    const entries: StreamEntry[] = [];
    let failure: unknown;
    for (const reply of replies) {
      if (isCommandError(reply)) failure ??= reply;
      else entries.push(...parseMultiStreamReply(reply).entries);
    }
    if (failure !== undefined) {
      // Entries the failed reads may have delivered are in this consumer's pending list: walk it again.
      this.markPendingDirty();
      if (entries.length === 0) throw failure;
    }
    if (entries.length > 0) return { entries, deliveries: entries.map(() => 1), source: "new" };
    if (failure === undefined) this.stats.lag = 0;
    if (block === undefined) return undefined;
    const keys = this.slotGroups[this.rotation++ % this.slotGroups.length]!;
    const shortBlock = Math.max(1, Math.min(block, Math.ceil(block / this.slotGroups.length)));
    return toBatch(await this.reader.read("XREADGROUP", readArgs(keys, shortBlock), shortBlock));
  }

  /** `reads` pipelined non-blocking XREADGROUP over the raw channel, decoded straight into one frame. */
  private async readNewFast(
    args: readonly RedisArgument[],
    reads: number,
  ): Promise<DeliveredBatch | undefined> {
    const fast = this.fast!;
    const command = ["XREADGROUP", ...args.map(String)];
    let decoder: Awaited<ReturnType<RawStreamReads["read"]>>;
    try {
      decoder = await fast.reads.read(
        Array.from({ length: reads }, () => command),
        this.options.blockMs + this.options.watchdogMs,
      );
    } catch (error) {
      // Reads whose answers were lost may have delivered entries: they are in this consumer's pending list.
      if (isTransient(error)) this.markPendingDirty();
      throw error;
    }
    if (decoder.rows === 0) {
      this.stats.lag = 0;
      return undefined;
    }
    const entries: StreamEntry[] = decoder.ids.map((id, row) => ({
      stream: decoder.streams[decoder.streamOfRow[row]!]!,
      id,
      fields: NO_FIELDS,
    }));
    try {
      const { frame, nulled } = decodedToFrame(decoder, this.options.frame, fast.layout);
      return { entries, deliveries: entries.map(() => 1), source: "new", frame, nulled };
    } catch (error) {
      if (!SchemaMismatchError.isInstance(error)) throw error;
      // A value that does not fit: the entries come again through the ordinary path (own pending entries, with
      // their fields), where the batch fails on its own and the poison entry ends in the dead-letter stream.
      this.markPendingDirty();
      return undefined;
    }
  }

  /**
   * One step through this consumer's own pending entries: a page of XPENDING (ids, idle times, delivery
   * counts), then XCLAIM to itself to get their data (and count this delivery). Returns a batch, or undefined
   * when every stream's pending list has been walked.
   */
  private async readOwnPending(): Promise<DeliveredBatch | undefined> {
    const { group, consumer, batchSize, maxDeliveries } = this.options;
    const pageSize = Math.max(batchSize, 100);
    for (const stream of this.options.streams) {
      for (;;) {
        const cursor = this.pendingCursor.get(stream);
        if (cursor === "") break; // this stream is done for this walk
        const start = cursor === undefined ? "-" : `(${cursor}`;
        const page = parsePending(
          await this.conn.call("XPENDING", stream, group, start, "+", pageSize, consumer),
        );
        if (page.length === 0) {
          this.pendingCursor.set(stream, "");
          break;
        }
        const now = Date.now();
        const deadLetters: PendingInfo[] = [];
        const toDeliver: PendingInfo[] = [];
        let lastHandled = page[page.length - 1]!.id;
        for (const info of page) {
          if (this.inFlight.has(stream, info.id)) continue;
          if (info.deliveries >= maxDeliveries) {
            deadLetters.push(info);
            continue;
          }
          // Entries this process handed back wait before their next delivery; leftovers of a crash do not.
          const suspect = this.suspects.has(entryKey(stream, info.id));
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
        this.pendingCursor.set(stream, lastHandled);
        await this.deadLetter(stream, deadLetters);
        const claimed = await this.claimOwn(stream, toDeliver);
        if (claimed.entries.length > 0) return { ...claimed, source: "pending" };
      }
    }
    // Walked everything: start over next time; wait for entries whose redelivery delay has not passed.
    this.pendingCursor = new Map();
    if (this.walkRetryAt === Number.POSITIVE_INFINITY) {
      this.pendingDirty = false;
    } else {
      this.pendingRetryAt = this.walkRetryAt;
    }
    this.walkRetryAt = Number.POSITIVE_INFINITY;
    return undefined;
  }

  /** XCLAIM own pending entries (to get their data); the ones that vanished are reported lost. */
  private async claimOwn(
    stream: string,
    infos: readonly PendingInfo[],
  ): Promise<{ entries: StreamEntry[]; deliveries: number[] }> {
    if (infos.length === 0) return { entries: [], deliveries: [] };
    // An entry another consumer claimed in the meantime has a smaller idle time: it is not taken back.
    const minIdle = Math.min(...infos.map((info) => info.idleMs));
    const reply = await this.conn.call(
      "XCLAIM",
      stream,
      this.options.group,
      this.options.consumer,
      minIdle,
      ...infos.map((info) => info.id),
    );
    const { entries } = parseEntries(stream, reply);
    const deliveriesById = new Map(infos.map((info) => [info.id, info.deliveries + 1]));
    await this.reportVanished(
      stream,
      infos.map((info) => info.id),
      entries,
      "deleted or trimmed while pending",
    );
    return { entries, deliveries: entries.map((entry) => deliveriesById.get(entry.id) ?? 1) };
  }

  private async deadLetter(stream: string, infos: readonly PendingInfo[]): Promise<void> {
    if (infos.length === 0) return;
    const { group, consumer, maxDeliveries } = this.options;
    const minIdle = Math.min(...infos.map((info) => info.idleMs));
    const reply = await this.conn.call(
      "XCLAIM",
      stream,
      group,
      consumer,
      minIdle,
      ...infos.map((info) => info.id),
    );
    const { entries } = parseEntries(stream, reply);
    await this.reportVanished(
      stream,
      infos.map((info) => info.id),
      entries,
      "deleted or trimmed while pending",
    );
    const deliveriesById = new Map(infos.map((info) => [info.id, info.deliveries]));
    const requests: DeadLetterRequest[] = entries.map((entry) => {
      const deliveries = deliveriesById.get(entry.id) ?? maxDeliveries;
      const failure = this.reasons.get(entryKey(stream, entry.id));
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
    for (const { entry } of moved) this.forget(stream, entry.id);
    this.stats.deadLettered += moved.length;
    this.emit({
      type: "entries-dead-lettered",
      stream,
      deadLetterStream: this.options.deadLetterStream(stream),
      ids: moved.map(({ entry }) => entry.id),
      reasons: moved.map(({ reason }) => reason),
    });
  }

  /**
   * Ids asked for but not returned by XCLAIM: either deleted (Redis 7 then drops them from the pending list:
   * lost) or taken by another consumer meanwhile (still in the stream: not ours to report).
   */
  private async reportVanished(
    stream: string,
    askedIds: readonly string[],
    returned: readonly StreamEntry[],
    reason: string,
  ): Promise<void> {
    if (returned.length === askedIds.length) return;
    const returnedIds = new Set(returned.map((entry) => entry.id));
    const missing = askedIds.filter((id) => !returnedIds.has(id));
    const exists = await this.conn.batch(missing.map((id) => ["XRANGE", stream, id, id]));
    const lost = missing.filter((_, index) => {
      const reply = exists[index];
      if (isCommandError(reply)) throw reply;
      return Array.isArray(reply) && reply.length === 0;
    });
    this.reportLost(stream, lost, reason);
  }

  private reportLost(stream: string, ids: readonly string[], reason: string): void {
    if (ids.length === 0) return;
    for (const id of ids) this.forget(stream, id);
    this.stats.lost += ids.length;
    this.emit({ type: "entries-lost", stream, ids: [...ids], reason });
  }

  /** XAUTOCLAIM (JUSTID: delivery counts unchanged) of entries idle longer than claimIdleMs. */
  private async claimIdle(): Promise<void> {
    const { group, consumer, claimIdleMs, batchSize } = this.options;
    for (const stream of this.options.streams) {
      let budget = batchSize * 10;
      do {
        const cursor = this.claimCursor.get(stream) ?? "0-0";
        const reply = (await this.conn.call(
          "XAUTOCLAIM",
          stream,
          group,
          consumer,
          claimIdleMs,
          cursor,
          "COUNT",
          batchSize,
          "JUSTID",
        )) as [string, string[], string[]?];
        const next = String(reply[0]);
        const claimedIds = (reply[1] ?? []).map(String).filter((id) => !this.inFlight.has(stream, id));
        const deletedIds = (reply[2] ?? []).map(String);
        this.claimCursor.set(stream, next);
        this.reportLost(stream, deletedIds, "deleted or trimmed while pending at another consumer");
        const taken = claimedIds.filter((id) => !this.reasons.has(entryKey(stream, id)));
        if (taken.length > 0) {
          this.stats.claimed += taken.length;
          this.emit({ type: "entries-claimed", stream, ids: taken });
        }
        if (claimedIds.length > 0) this.markPendingDirty();
        budget -= batchSize;
        if (next === "0-0") break;
      } while (budget > 0);
    }
  }

  private async checkGroups(): Promise<void> {
    let pending = 0;
    let lag: number | undefined = 0;
    for (const stream of this.options.streams) {
      const check = await checkGroup(this.conn, stream, this.options.group);
      if (check.status === "nogroup") {
        if (this.options.createGroup) this.groupsReady = false;
        lag = undefined;
        continue;
      }
      pending += check.pending;
      lag = lag === undefined || check.lag === undefined ? undefined : lag + check.lag;
      if (check.status !== "gap") continue;
      this.stats.gaps++;
      this.stats.missing += check.missing ?? 0;
      this.emit({
        type: "stream-gap",
        stream,
        group: this.options.group,
        lastDeliveredId: check.lastDeliveredId,
        firstAvailableId: check.firstEntryId,
        missing: check.missing,
      });
      if (this.options.onGap === "error") throw gapError(stream, this.options.group, check);
    }
    this.stats.pending = pending;
    this.stats.lag = lag;
  }

  /** Resets the idle time of in-flight entries so no other consumer claims them while they are processed. */
  private async heartbeat(): Promise<void> {
    if (this.heartbeatRunning || this.inFlight.size === 0) return;
    this.heartbeatRunning = true;
    try {
      const commands = commandsPerStream(
        this.inFlight.entries().flatMap(([stream, ids]) => ids.map((id) => ({ stream, id }))),
        (stream, ids) => ["XCLAIM", stream, this.options.group, this.options.consumer, 0, ...ids, "JUSTID"],
      );
      await this.conn.batch(commands.map(([command]) => command));
    } catch {
      // A missed heartbeat only risks a claim by another consumer, which at-least-once delivery allows.
    } finally {
      this.heartbeatRunning = false;
    }
  }

  private markPendingDirty(): void {
    this.pendingDirty = true;
    this.pendingCursor = new Map();
    this.pendingRetryAt = 0;
    this.walkRetryAt = Number.POSITIVE_INFINITY;
  }

  private forget(stream: string, id: string): void {
    this.inFlight.delete(stream, id);
    // Usually both are empty: skip building the key (it costs more than the rest of an ack's bookkeeping).
    if (this.suspects.size === 0 && this.reasons.size === 0) return;
    const key = entryKey(stream, id);
    this.suspects.delete(key);
    this.reasons.delete(key);
  }

  private emit(event: ConsumerEvent): void {
    this.options.onEvent(event);
  }
}

/**
 * Sends XACK commands: pre-encoded over the connection's shared raw pipe where it has one (encoding a thousand
 * ids per command through ioredis costs more than the rest of routing them), else through `batch`.
 */
async function sendAcks(conn: RedisConnection, commands: readonly Command[]): Promise<BatchReply[]> {
  if (!takesRawPath(conn, "any")) return conn.batch(commands);
  const pipe = await commandPipeFor(conn);
  const replies = await pipe.send(
    encodeCommands(commands as readonly (readonly string[])[]),
    commands.length,
    "XACK",
  );
  return replies.map((reply) =>
    reply instanceof RespErrorReply
      ? new RedisCommandError({ message: reply.message, command: "XACK" })
      : (reply as BatchReply),
  );
}

/** The gap as an error; on an empty stream the first available id is the earliest id a new entry can have. */
function gapError(stream: string, group: string, check: GroupCheck): StreamGapError {
  const lost =
    check.missing === undefined
      ? "entries after"
      : `${check.missing} ${check.missing === 1 ? "entry" : "entries"} after`;
  const left =
    check.firstEntryId === undefined
      ? `the stream is empty (last id ${check.lastGeneratedId})`
      : `the oldest entry left is ${check.firstEntryId}`;
  return new StreamGapError({
    stream,
    lastSeenId: check.lastDeliveredId,
    firstAvailableId: check.firstEntryId ?? nextStreamId(check.lastGeneratedId),
    message: `stream ${JSON.stringify(stream)} was trimmed past group ${JSON.stringify(group)}: ${lost} ${check.lastDeliveredId} were never delivered; ${left}`,
  });
}

function entryKey(stream: string, id: string): string {
  return `${stream}\n${id}`;
}

function parsePending(reply: unknown): PendingInfo[] {
  if (!Array.isArray(reply)) return [];
  return reply.map((row) => {
    const [id, , idle, deliveries] = row as [string, string, number, number];
    return { id: String(id), idleMs: Number(idle), deliveries: Number(deliveries) };
  });
}

/** One command per stream and chunk of ids, remembering which ids each command carries. */
function commandsPerStream(
  entries: readonly EntryRef[],
  build: (stream: string, ids: string[]) => Command,
): [Command, string, string[]][] {
  const byStream = new Map<string, string[]>();
  for (const { stream, id } of entries) {
    const ids = byStream.get(stream) ?? [];
    ids.push(id);
    byStream.set(stream, ids);
  }
  const commands: [Command, string, string[]][] = [];
  for (const [stream, ids] of byStream) {
    for (let start = 0; start < ids.length; start += IDS_PER_COMMAND) {
      const chunk = ids.slice(start, start + IDS_PER_COMMAND);
      commands.push([build(stream, chunk), stream, chunk]);
    }
  }
  return commands;
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

function toError(error: unknown): PolarsRedisError {
  if (PolarsRedisError.isInstance(error)) return error;
  return new PolarsRedisError({ code: "CONNECTION", message: String(error), retryable: true, cause: error });
}
