import {
  type Command,
  isCommandError,
  PolarsRedisError,
  type RedisConnection,
  type WriteResult,
} from "@polars-redis/core";
import { sleep } from "@polars-redis/core/internal";
import type { DataFrame } from "nodejs-polars";
import { type DeadLetterTarget, writeDeadLetters } from "../consumer/dead-letter.js";
import type { EntryRef } from "../consumer/group-reader.js";
import { entriesToFrame } from "../frame/entries-to-frame.js";
import type { StableColumns } from "../frame/stable-columns.js";
import { parseEntries, type StreamEntry } from "../frame/stream-entry.js";
import type { ResolvedFrameOptions } from "../frame/stream-frame-options.js";
import type { RouteDefinition } from "./route-definition.js";
import type { RouterEvent } from "./router-events.js";
import type { RouteStats } from "./router-stats.js";

/** Entries a route owes: their rows in memory, or only their ids (beyond the memory bound). */
interface RouteWork {
  entries: EntryRef[];
  frame: DataFrame | undefined;
  /** Queued as ids only (counted in `spilled`, not in the memory bound). */
  spilled: boolean;
  /** Attempts that failed for a reason retrying cannot fix (a rejected row, a throwing transform). */
  permanentFailures: number;
}

export interface RouteRunnerContext {
  source: RedisConnection;
  frameOptions: ResolvedFrameOptions;
  /** The router's columns: re-read rows get the same columns as the batch they were routed in. */
  columns: StableColumns;
  /** Called when entries are done for this route (written, dead-lettered or lost). */
  confirm: (entries: readonly EntryRef[]) => void;
  backoff: (attempt: number) => number;
  maxAttempts: number;
  maxBufferedEntries: number;
  deadLetter: DeadLetterTarget;
  /** Fires when the router stops: no more retries. */
  stopSignal: AbortSignal;
  emit: (event: RouterEvent) => void;
}

/**
 * Writes one route's rows, in order, one batch at a time (so a key's later change never lands before an
 * earlier one), retrying a failing sink with backoff for as long as it takes while the other routes carry on.
 * Work waiting beyond `maxBufferedEntries` is kept as entry ids only and re-read from the source when its turn
 * comes, so a long outage of one destination costs ids, not frames.
 */
export class RouteRunner {
  readonly stats: RouteStats = {
    state: "healthy",
    matched: 0,
    written: 0,
    writes: 0,
    failedAttempts: 0,
    deadLettered: 0,
    lost: 0,
    queued: 0,
    spilled: 0,
    lastError: undefined,
  };
  private readonly queue: RouteWork[] = [];
  private bufferedEntries = 0;
  private draining: Promise<void> | undefined;
  private failingSince: number | undefined;
  private failuresInRow = 0;

  constructor(
    readonly route: RouteDefinition,
    private readonly context: RouteRunnerContext,
  ) {}

  get idle(): boolean {
    return this.draining === undefined;
  }

  enqueue(entries: EntryRef[], frame: DataFrame): void {
    this.stats.matched += entries.length;
    this.stats.queued += entries.length;
    if (this.bufferedEntries + entries.length > this.context.maxBufferedEntries) {
      this.queue.push({ entries, frame: undefined, spilled: true, permanentFailures: 0 });
      this.stats.spilled += entries.length;
    } else {
      this.queue.push({ entries, frame, spilled: false, permanentFailures: 0 });
      this.bufferedEntries += entries.length;
    }
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  /** Resolves when the queue is empty, or (once stopping) when the route gave up. */
  async settled(): Promise<void> {
    while (this.draining !== undefined) await this.draining;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const work = this.queue[0]!;
      const outcome = await this.process(work);
      if (outcome === "stopped") return;
      if (outcome === "done") {
        this.queue.shift();
        this.dequeued(work, work.entries.length);
      }
      // "split": the head was replaced by its two halves; go on with the first.
    }
  }

  /** Counts `count` entries of `work` as no longer waiting. */
  private dequeued(work: RouteWork, count: number): void {
    this.stats.queued -= count;
    if (work.spilled) this.stats.spilled -= count;
    else this.bufferedEntries -= count;
  }

  private async process(work: RouteWork): Promise<"done" | "split" | "stopped"> {
    const { stopSignal } = this.context;
    for (let attempt = 1; ; attempt++) {
      let permanent = false;
      let error: unknown;
      try {
        work.frame ??= await this.reread(work);
        if (work.entries.length === 0) return "done";
        const result = await this.write(work, attempt);
        if (result.isCompleteSuccess()) {
          this.succeeded(work);
          return "done";
        }
        error = [...result.errors.values()][0];
        permanent = result.retryableKeys().length < result.failed;
        if (permanent) error = describeResult(result);
      } catch (thrown) {
        error = thrown;
        permanent =
          thrown instanceof TransformError || (PolarsRedisError.isInstance(thrown) && !thrown.retryable);
      }
      this.failed(error);
      if (permanent && ++work.permanentFailures >= this.context.maxAttempts) {
        try {
          return await this.giveUp(work, error);
        } catch (deadLetterError) {
          // The dead-letter copy could not be written (source unreachable): try the whole thing again later.
          error = deadLetterError;
        }
      }
      if (stopSignal.aborted) return "stopped";
      const delayMs = this.context.backoff(attempt);
      this.context.emit({ type: "route-retry", route: this.route.name, attempt, delayMs, error });
      await sleep(delayMs, stopSignal);
      if (stopSignal.aborted) return "stopped";
    }
  }

  private async write(work: RouteWork, attempt: number): Promise<WriteResult> {
    let frame = work.frame!;
    if (this.route.transform !== undefined) {
      try {
        frame = await this.route.transform(frame);
      } catch (error) {
        throw new TransformError(this.route.name, error);
      }
    }
    if (!this.route.keepMetadata) {
      const drop = this.context.frameOptions.metadataColumns.filter((name) => frame.columns.includes(name));
      if (drop.length > 0) frame = frame.drop(drop);
    }
    // Row ids name the source entry of each row: only meaningful while the transform kept rows one to one.
    return this.route.sink.write(frame, {
      signal: this.context.stopSignal,
      attempt,
      ...(frame.height === work.entries.length ? { rowIds: work.entries.map((entry) => entry.id) } : {}),
    });
  }

  private succeeded(work: RouteWork): void {
    this.stats.writes++;
    this.stats.written += work.entries.length;
    if (this.failingSince !== undefined) {
      this.context.emit({
        type: "route-recovered",
        route: this.route.name,
        failedAttempts: this.failuresInRow,
        downMs: Date.now() - this.failingSince,
      });
    }
    this.failingSince = undefined;
    this.failuresInRow = 0;
    this.stats.state = "healthy";
    this.stats.lastError = undefined;
    this.context.confirm(work.entries);
  }

  private failed(error: unknown): void {
    this.stats.failedAttempts++;
    this.failuresInRow++;
    this.failingSince ??= Date.now();
    this.stats.state = "retrying";
    this.stats.lastError = error instanceof Error ? error.message : String(error);
  }

  /**
   * Rows rejected for good: halve the work until the rejected rows stand alone (the good halves are written,
   * replays being harmless), then copy each rejected entry to the dead-letter stream, naming the route.
   */
  private async giveUp(work: RouteWork, error: unknown): Promise<"done" | "split"> {
    if (work.entries.length > 1 && work.frame !== undefined) {
      const half = Math.ceil(work.entries.length / 2);
      const halves: RouteWork[] = [
        {
          entries: work.entries.slice(0, half),
          frame: work.frame.slice(0, half),
          spilled: work.spilled,
          permanentFailures: 0,
        },
        {
          entries: work.entries.slice(half),
          frame: work.frame.slice(half, work.frame.height - half),
          spilled: work.spilled,
          permanentFailures: 0,
        },
      ];
      this.queue.splice(0, 1, ...halves);
      return "split";
    }
    const reason = `route ${this.route.name}: ${error instanceof Error ? error.message : String(error)}`;
    const entries = await this.fetch(work.entries);
    const requests = entries.found.map((entry) => ({ entry, deliveries: 0, reason }));
    const written = await writeDeadLetters(this.context.source, requests, this.context.deadLetter, [
      "route",
      this.route.name,
    ]);
    if (written.length < requests.length)
      throw new Error(`route ${this.route.name}: could not write its dead letters`);
    this.stats.deadLettered += written.length;
    for (const [stream, ids] of groupIds(written.map(({ entry }) => entry))) {
      this.context.emit({ type: "route-dead-lettered", route: this.route.name, stream, ids, reason });
    }
    this.reportLost(entries.missing);
    this.context.confirm(work.entries);
    return "done";
  }

  /** Rows of work kept as ids: re-read them from the source (the filter already chose them). */
  private async reread(work: RouteWork): Promise<DataFrame> {
    const { found, missing } = await this.fetch(work.entries);
    if (missing.length > 0) {
      this.reportLost(missing);
      this.context.confirm(missing);
      const gone = new Set(missing.map((entry) => `${entry.stream}\n${entry.id}`));
      work.entries = work.entries.filter((entry) => !gone.has(`${entry.stream}\n${entry.id}`));
      this.dequeued(work, missing.length);
    }
    return this.context.columns.apply(entriesToFrame(found, this.context.frameOptions).frame);
  }

  private async fetch(refs: readonly EntryRef[]): Promise<{ found: StreamEntry[]; missing: EntryRef[] }> {
    const commands: Command[] = refs.map(({ stream, id }) => ["XRANGE", stream, id, id]);
    const replies = await this.context.source.batch(commands);
    const found: StreamEntry[] = [];
    const missing: EntryRef[] = [];
    replies.forEach((reply, index) => {
      if (isCommandError(reply)) throw reply;
      const ref = refs[index]!;
      const [entry] = parseEntries(ref.stream, reply).entries;
      if (entry === undefined) missing.push(ref);
      else found.push(entry);
    });
    return { found, missing };
  }

  private reportLost(entries: readonly EntryRef[]): void {
    if (entries.length === 0) return;
    this.stats.lost += entries.length;
    for (const [stream, ids] of groupIds(entries)) {
      this.context.emit({ type: "route-entries-lost", route: this.route.name, stream, ids });
    }
  }
}

/** A route's transform threw: the rows cannot be shaped, which retrying will not change. */
class TransformError extends Error {
  constructor(route: string, cause: unknown) {
    super(`route ${route}: transform failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = "TransformError";
  }
}

function describeResult(result: WriteResult): string {
  const sample = [...result.errors].slice(0, 3).map(([key, error]) => `${key}: ${error.message}`);
  return `${result.failed} rows rejected (${sample.join("; ")}${result.failed > 3 ? "; ..." : ""})`;
}

function groupIds(entries: readonly EntryRef[]): Map<string, string[]> {
  const byStream = new Map<string, string[]>();
  for (const { stream, id } of entries) {
    const ids = byStream.get(stream);
    if (ids === undefined) byStream.set(stream, [id]);
    else ids.push(id);
  }
  return byStream;
}
