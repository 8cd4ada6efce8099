import {
  InvalidArgumentError,
  type RedisConnection,
  readStreams,
  type ScanIterable,
  type StreamScanOptions,
  scanStreams,
} from "@polars-redis/core";
import type { DataFrame } from "nodejs-polars";

export interface ScanStreamOptions
  extends Omit<StreamScanOptions, "pattern" | "keys" | "countPerStream" | "pageSize" | "batchSize"> {
  /** The stream key. */
  stream: string;
  /** Entries per XRANGE page, and so per yielded frame at most. [1000] */
  batchSize?: number | undefined;
}

/**
 * Reads a range of one stream (`start`..`end`) with paged XRANGE (start exclusive after each page: no entry
 * twice, none skipped), one DataFrame per page, so a stream of any length is read in bounded memory. Columns, dtypes and options are
 * those of core's `scanStreams` (`_id`, `_ts`, optional `_seq`, then the fields), without the `_key` column
 * unless asked for.
 */
export function scanStreamRange(conn: RedisConnection, options: ScanStreamOptions): ScanIterable {
  return scanStreams(conn, toStreamScanOptions(options));
}

/**
 * `scanStreamRange`'s pages as one DataFrame (a missing stream gives an empty frame with the declared columns).
 * For many streams at once (by pattern or keys, with a `_key` column), use core's `readStreams`.
 */
export async function readStreamRange(conn: RedisConnection, options: ScanStreamOptions): Promise<DataFrame> {
  return readStreams(conn, toStreamScanOptions(options));
}

/**
 * @deprecated Renamed `readStreamRange` (one letter from core's `readStreams`, which reads many streams, was too
 * easy to confuse). Same function; this name goes away in the next major version.
 */
export const readStream: typeof readStreamRange = readStreamRange;

/** @deprecated Renamed `scanStreamRange` (see `readStream`). Same function; this name goes away in the next major version. */
export const scanStream: typeof scanStreamRange = scanStreamRange;

function toStreamScanOptions(options: ScanStreamOptions): StreamScanOptions {
  if (options === null || typeof options !== "object") {
    throw new InvalidArgumentError("options", "expected an options object");
  }
  const { stream, batchSize, ...rest } = options;
  if (typeof stream !== "string" || stream.length === 0) {
    throw new InvalidArgumentError("stream", `expected a stream key, got ${JSON.stringify(stream)}`);
  }
  if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize >= 1)) {
    throw new InvalidArgumentError("batchSize", `expected a positive integer, got ${String(batchSize)}`);
  }
  return {
    includeKey: false,
    ...rest,
    keys: [stream],
    batchSize: 1,
    ...(batchSize === undefined ? {} : { pageSize: batchSize }),
  };
}
