import { type RedisConnection, throwIfAborted } from "@polars-redis/core";
import type { DataFrame, Expr } from "nodejs-polars";
import { entriesToFrame } from "../frame/entries-to-frame.js";
import { parseEntries } from "../frame/stream-entry.js";
import { resolveFrameOptions, type StreamFrameOptions } from "../frame/stream-frame-options.js";
import { requireKey, requirePositiveInteger, requireRangeBound } from "../internal/validate.js";

export interface ScanStreamOptions extends StreamFrameOptions {
  stream: string;
  /** First id (inclusive; prefix "(" for exclusive). ["-"] */
  start?: string;
  /** Last id (inclusive). ["+"] */
  end?: string;
  /** Entries per XRANGE page, and so per yielded frame at most. [1000] */
  batchSize?: number;
  /** A Polars expression applied to each page. */
  filter?: Expr;
  /** Stop after this many rows (counted after `filter`). */
  limit?: number;
  signal?: AbortSignal;
  onProgress?: (progress: ScanStreamProgress) => void;
}

export interface ScanStreamProgress {
  entriesRead: number;
  rows: number;
  /** Field values that became null because they did not fit their dtype (onError "null"). */
  nulled: number;
  lastId: string | undefined;
  elapsedMs: number;
}

/**
 * Reads one stream with paged XRANGE, yielding a DataFrame per page, so a stream of any length is read in
 * bounded memory. Pages continue after the last id read (exclusive start), never re-reading an entry.
 */
export async function* scanStream(
  conn: RedisConnection,
  options: ScanStreamOptions,
): AsyncGenerator<DataFrame> {
  const stream = requireKey("stream", options.stream);
  const end = requireRangeBound("end", options.end ?? "+");
  let start = requireRangeBound("start", options.start ?? "-");
  const batchSize = requirePositiveInteger("batchSize", options.batchSize ?? 1000);
  const limit =
    options.limit === undefined ? Number.POSITIVE_INFINITY : requirePositiveInteger("limit", options.limit);
  const frameOptions = resolveFrameOptions(options, false);
  const startedAt = performance.now();
  const progress: ScanStreamProgress = {
    entriesRead: 0,
    rows: 0,
    nulled: 0,
    lastId: undefined,
    elapsedMs: 0,
  };

  while (progress.rows < limit) {
    throwIfAborted(options.signal);
    const reply = await conn.call("XRANGE", stream, start, end, "COUNT", batchSize);
    const { entries } = parseEntries(stream, reply);
    if (entries.length === 0) break;
    const lastId = entries[entries.length - 1]!.id;
    const built = entriesToFrame(entries, frameOptions);
    let frame = options.filter === undefined ? built.frame : built.frame.filter(options.filter);
    if (frame.height > limit - progress.rows) frame = frame.head(limit - progress.rows);
    progress.entriesRead += entries.length;
    progress.rows += frame.height;
    progress.nulled += built.nulled;
    progress.lastId = lastId;
    progress.elapsedMs = performance.now() - startedAt;
    options.onProgress?.({ ...progress });
    if (frame.height > 0) yield frame;
    if (entries.length < batchSize) break;
    start = `(${lastId}`;
  }
}
