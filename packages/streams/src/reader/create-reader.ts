import {
  type CheckpointStore,
  InvalidArgumentError,
  type RedisArgument,
  type RedisConnection,
  StreamGapError,
} from "@polars-redis/core";
import { checkConnection, checkOptions, sleep } from "@polars-redis/core/internal";
import type { DataFrame } from "nodejs-polars";
import { createMemoryCheckpointStore } from "../checkpoint/memory-checkpoint-store.js";
import { BlockingReader } from "../consumer/blocking-reader.js";
import { entriesToFrame } from "../frame/entries-to-frame.js";
import type { StreamEntry } from "../frame/stream-entry.js";
import {
  type ResolvedFrameOptions,
  resolveFrameOptions,
  type StreamFrameOptions,
} from "../frame/stream-frame-options.js";
import { READER_OPTION_NAMES } from "../internal/option-names.js";
import { type RetryDelayOption, retryDelays } from "../internal/retry-delay.js";
import { groupBySlot } from "../internal/slot-groups.js";
import { onProcessSignals } from "../internal/stop-signals.js";
import { isTransient } from "../internal/transient.js";
import {
  requireKey,
  requireNonNegativeNumber,
  requirePositiveInteger,
  resolveStreamKeys,
} from "../internal/validate.js";
import { compareStreamIds, isStreamId } from "../stream-id.js";
import { type CountedRead, readWithCounters } from "./read-with-counters.js";
import type { ReaderEvent, ReaderEventListener } from "./reader-events.js";
import { formatPosition, parsePosition, type ReaderPosition } from "./reader-position.js";

export interface ReaderOptions extends StreamFrameOptions {
  stream?: string | undefined;
  streams?: readonly string[] | undefined;
  /** Where positions are kept: `store` and the checkpoint `name` (one entry per stream: `<name>:<stream>`). */
  checkpoint?: { store: CheckpointStore; name: string } | undefined;
  /** Where to start when no position is stored: "0" (oldest entry), "$" (only new entries) or an id. ["0"] */
  startId?: string | undefined;
  /** Entries read per stream and call. [100] */
  batchSize?: number | undefined;
  /** How long to wait for new entries (XREAD BLOCK). [2000] */
  blockMs?: number | undefined;
  /** A blocking read unanswered after blockMs + watchdogMs is abandoned and its connection replaced. [5000] */
  watchdogMs?: number | undefined;
  retryBackoff?: RetryDelayOption | undefined;
  /** Entries trimmed before the reader got to them: throw a StreamGapError (once), or only report. ["error"] */
  onGap?: "error" | "event" | undefined;
  signal?: AbortSignal | undefined;
  stopSignals?: readonly NodeJS.Signals[] | undefined;
  onEvent?: ReaderEventListener | undefined;
}

export interface ReaderBatch {
  readonly frame: DataFrame;
  readonly ids: readonly string[];
  readonly streams: readonly string[];
  /** Stores the position after this batch (for every stream in it). Called automatically before the next batch. */
  commit(): Promise<void>;
}

export interface ReaderStats {
  batches: number;
  delivered: number;
  commits: number;
  gaps: number;
  missing: number;
  nulled: number;
  retries: number;
  hungReads: number;
  /** Entries after the reader's position, per the last read; undefined until known. */
  lag: number | undefined;
}

export interface StreamReader extends AsyncIterable<ReaderBatch> {
  /** Processes batches until stopped; a batch is committed when the handler resolves. A handler error rejects. */
  run(handler: (batch: ReaderBatch) => Promise<void> | void): Promise<ReaderStats>;
  stop(): void;
  close(): Promise<void>;
  /** The position the reader continues from, per stream (`"<id>@<index>"`), committed or not. */
  positions(): Record<string, string>;
  readonly stats: ReaderStats;
}

/**
 * A reader without a consumer group: it reads every entry (XREAD) in order and keeps its own position in a
 * CheckpointStore, so after a restart it resumes exactly after the last committed entry. At-least-once: a
 * batch processed but not committed is read again. It also notices entries trimmed away before it got to them
 * (onGap), using the stream's entries-added counter.
 */
export function createReader(conn: RedisConnection, options: ReaderOptions): StreamReader {
  checkConnection(conn, { function: "createReader" });
  if (options === undefined)
    throw new InvalidArgumentError("options", "createReader expected an options object");
  checkOptions(options, READER_OPTION_NAMES, { function: "createReader" });
  const streams = resolveStreamKeys(options.stream, options.streams);
  const startId = options.startId ?? "0";
  if (startId !== "$" && !isStreamId(startId)) {
    throw new InvalidArgumentError(
      "startId",
      `expected "0", "$" or a stream id, got ${JSON.stringify(startId)}`,
    );
  }
  const onGap = options.onGap ?? "error";
  if (onGap !== "error" && onGap !== "event")
    throw new InvalidArgumentError("onGap", `expected "error" or "event"`);
  const checkpoint = options.checkpoint ?? { store: createMemoryCheckpointStore(), name: "reader" };
  if (typeof checkpoint.store?.get !== "function" || typeof checkpoint.store?.set !== "function") {
    throw new InvalidArgumentError("checkpoint.store", "expected a CheckpointStore (get, set, delete)");
  }
  requireKey("checkpoint.name", checkpoint.name);
  return new TailReader(conn, {
    streams,
    checkpoint,
    startId,
    batchSize: requirePositiveInteger("batchSize", options.batchSize ?? 100),
    blockMs: requireNonNegativeNumber("blockMs", options.blockMs ?? 2000),
    watchdogMs: requireNonNegativeNumber("watchdogMs", options.watchdogMs ?? 5000),
    retryBackoff: retryDelays(options.retryBackoff, "retryBackoff"),
    onGap,
    frame: resolveFrameOptions(options, streams.length > 1),
    signal: options.signal,
    stopSignals: options.stopSignals ?? [],
    onEvent: options.onEvent ?? (() => {}),
  });
}

interface ResolvedReaderOptions {
  streams: string[];
  checkpoint: { store: CheckpointStore; name: string };
  startId: string;
  batchSize: number;
  blockMs: number;
  watchdogMs: number;
  retryBackoff: (attempt: number) => number;
  onGap: "error" | "event";
  frame: ResolvedFrameOptions;
  signal: AbortSignal | undefined;
  stopSignals: readonly NodeJS.Signals[];
  onEvent: ReaderEventListener;
}

/** Where a stream stands: the position, and whether "0" was asked (trimmed history is then not a gap). */
interface StreamState extends ReaderPosition {
  fromStart: boolean;
}

class TailReader implements StreamReader {
  readonly stats: ReaderStats = {
    batches: 0,
    delivered: 0,
    commits: 0,
    gaps: 0,
    missing: 0,
    nulled: 0,
    retries: 0,
    hungReads: 0,
    lag: undefined,
  };
  private readonly states = new Map<string, StreamState>();
  private readonly lags = new Map<string, number | undefined>();
  private readonly reader: BlockingReader;
  private readonly slotGroups: string[][];
  private readonly stopController = new AbortController();
  private loaded = false;
  private rotation = 0;
  private active = false;
  private pendingCommit: (() => Promise<void>) | undefined;

  constructor(
    private readonly conn: RedisConnection,
    private readonly options: ResolvedReaderOptions,
  ) {
    this.reader = new BlockingReader(conn, options.watchdogMs, (waitedMs) => {
      this.stats.hungReads++;
      this.emit({ type: "read-hung", waitedMs });
    });
    this.slotGroups = groupBySlot(conn, options.streams);
    if (options.signal?.aborted) this.stop();
    options.signal?.addEventListener("abort", () => this.stop(), { once: true });
  }

  stop(): void {
    if (this.stopController.signal.aborted) return;
    this.stopController.abort();
    void this.reader.unblock();
  }

  async close(): Promise<void> {
    this.stop();
    await this.reader.close();
  }

  positions(): Record<string, string> {
    return Object.fromEntries([...this.states].map(([stream, state]) => [stream, formatPosition(state)]));
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<ReaderBatch> {
    this.begin();
    const removeSignals = onProcessSignals(this.options.stopSignals, () => this.stop());
    try {
      for (;;) {
        // The previous batch was processed when the next one is asked for: store its position.
        await this.pendingCommit?.();
        const batch = await this.next();
        if (batch === undefined) return;
        yield batch;
      }
    } finally {
      removeSignals();
      await this.close();
    }
  }

  async run(handler: (batch: ReaderBatch) => Promise<void> | void): Promise<ReaderStats> {
    if (typeof handler !== "function") throw new InvalidArgumentError("handler", "expected a function");
    this.begin();
    const removeSignals = onProcessSignals(this.options.stopSignals, () => this.stop());
    try {
      for (;;) {
        const batch = await this.next();
        if (batch === undefined) break;
        await handler(batch);
        await batch.commit();
      }
    } finally {
      removeSignals();
      await this.close();
    }
    return { ...this.stats };
  }

  private begin(): void {
    if (this.active) throw new InvalidArgumentError("reader", "this reader is already running");
    this.active = true;
  }

  private async next(): Promise<ReaderBatch | undefined> {
    let attempt = 0;
    while (!this.stopController.signal.aborted) {
      try {
        if (!this.loaded) await this.load();
        const batch = await this.readOnce();
        attempt = 0;
        if (batch !== undefined) return batch;
        await this.waitForEntries();
      } catch (error) {
        if (this.stopController.signal.aborted) break;
        if (!isTransient(error)) throw error;
        attempt++;
        const delayMs = this.options.retryBackoff(attempt);
        this.stats.retries++;
        this.emit({ type: "read-retry", error, attempt, delayMs });
        await sleep(delayMs, this.stopController.signal);
      }
    }
    return undefined;
  }

  private async load(): Promise<void> {
    const { store, name } = this.options.checkpoint;
    for (const stream of this.options.streams) {
      const stored = await store.get(checkpointName(name, stream));
      if (stored !== undefined) {
        this.states.set(stream, { ...parsePosition(stored), fromStart: false });
      } else if (this.options.startId === "$") {
        this.states.set(stream, { id: "$", index: undefined, fromStart: false });
      } else {
        const fromStart = compareStreamIds(this.options.startId, "0-0") === 0;
        this.states.set(stream, {
          id: fromStart ? "0-0" : this.options.startId,
          index: undefined,
          fromStart,
        });
      }
    }
    this.loaded = true;
  }

  /** One atomic read per stream; returns the entries found, after gap accounting. */
  private async readOnce(): Promise<ReaderBatch | undefined> {
    const entries: StreamEntry[] = [];
    const advanced = new Map<string, ReaderPosition>();
    for (const stream of this.options.streams) {
      const state = this.states.get(stream)!;
      const read = await readWithCounters(this.conn, stream, state.id, this.options.batchSize);
      const next = await this.account(stream, state, read);
      this.states.set(stream, { ...next, fromStart: false });
      if (read.entries.length > 0) {
        entries.push(...read.entries);
        advanced.set(stream, next);
      }
    }
    if (entries.length === 0) return undefined;
    const { frame, nulled } = entriesToFrame(entries, this.options.frame);
    this.stats.nulled += nulled;
    this.stats.batches++;
    this.stats.delivered += entries.length;
    let committed = false;
    const commit = async (): Promise<void> => {
      if (committed) return;
      committed = true;
      if (this.pendingCommit === commit) this.pendingCommit = undefined;
      const { store, name } = this.options.checkpoint;
      for (const [stream, position] of advanced)
        await store.set(checkpointName(name, stream), formatPosition(position));
      this.stats.commits++;
    };
    this.pendingCommit = commit;
    return {
      frame,
      ids: entries.map((entry) => entry.id),
      streams: entries.map((entry) => entry.stream),
      commit,
    };
  }

  /**
   * Moves a stream's position past the entries read, and checks that nothing vanished between the old position
   * and the first entry read. The logical index (entries ever added up to the position) is anchored whenever
   * the read reaches the end of the stream, or the whole stream lies after the position.
   */
  private async account(stream: string, state: StreamState, read: CountedRead): Promise<ReaderPosition> {
    const position = read.position;
    let index = state.index;
    if (state.id === "$") index = read.entriesAdded;
    else if (state.fromStart && index === undefined) index = read.entriesAdded - read.length;
    const wholeStreamAfter =
      read.length === 0 || (read.firstId !== undefined && compareStreamIds(read.firstId, position) > 0);
    if (index !== undefined && wholeStreamAfter) {
      const missing = read.entriesAdded - read.length - index;
      if (missing > 0) {
        index += missing;
        await this.reportGap(stream, { id: position, index }, read.firstId, missing);
      }
    }
    const count = read.entries.length;
    const lastRead = count > 0 ? read.entries[count - 1]!.id : position;
    const caughtUp = read.lastId === undefined || compareStreamIds(lastRead, read.lastId) >= 0;
    let nextIndex: number | undefined;
    if (caughtUp) nextIndex = read.entriesAdded;
    else if (index !== undefined) nextIndex = index + count;
    else if (wholeStreamAfter) nextIndex = read.entriesAdded - read.length + count;
    this.lags.set(stream, nextIndex === undefined ? undefined : read.entriesAdded - nextIndex);
    const lags = [...this.lags.values()];
    this.stats.lag = lags.some((lag) => lag === undefined)
      ? undefined
      : lags.reduce((sum, lag) => sum! + lag!, 0);
    return { id: lastRead, index: nextIndex };
  }

  private async reportGap(
    stream: string,
    seen: ReaderPosition,
    firstAvailableId: string | undefined,
    missing: number,
  ): Promise<void> {
    this.stats.gaps++;
    this.stats.missing += missing;
    this.emit({ type: "stream-gap", stream, lastSeenId: seen.id, firstAvailableId, missing });
    if (this.options.onGap === "event") return;
    // Reported once: the stored position keeps its id but counts the vanished entries as passed.
    const { store, name } = this.options.checkpoint;
    await store.set(checkpointName(name, stream), formatPosition(seen));
    throw new StreamGapError({
      stream,
      lastSeenId: seen.id,
      firstAvailableId: firstAvailableId ?? seen.id,
      message: `stream ${JSON.stringify(stream)} was trimmed past the reader's position ${seen.id}: ${missing} entries were never read${firstAvailableId === undefined ? "" : `; the oldest entry left is ${firstAvailableId}`}`,
    });
  }

  /** Waits (XREAD BLOCK on a dedicated connection) until some stream has entries after its position. */
  private async waitForEntries(): Promise<void> {
    if (this.options.blockMs < 1) return;
    const keys = this.slotGroups[this.rotation++ % this.slotGroups.length]!;
    const block =
      this.slotGroups.length === 1
        ? this.options.blockMs
        : Math.max(1, Math.ceil(this.options.blockMs / this.slotGroups.length));
    const args: RedisArgument[] = [
      ...["COUNT", 1, "BLOCK", Math.floor(block), "STREAMS"],
      ...keys,
      ...keys.map((stream) => this.states.get(stream)!.id),
    ];
    await this.reader.read("XREAD", args, Math.floor(block));
  }

  private emit(event: ReaderEvent): void {
    this.options.onEvent(event);
  }
}

function checkpointName(name: string, stream: string): string {
  return `${name}:${stream}`;
}
