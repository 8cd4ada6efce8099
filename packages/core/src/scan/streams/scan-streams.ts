import type { DataFrame } from "nodejs-polars";
import type { RedisConnection } from "../../connection/redis-connection.js";
import { InvalidArgumentError } from "../../errors/invalid-argument-error.js";
import { optionNames } from "../../validation/option-names.js";
import { resolvePageSize } from "../page-size.js";
import { readAll } from "../read-all.js";
import { Scan, type ScanIterable } from "../scan.js";
import { positiveInteger, resolveScanOptions, type ScanOptions } from "../scan-options.js";
import {
  resolveStreamLayout,
  STREAM_LAYOUT_OPTION_NAMES,
  type StreamLayoutOptions,
} from "./stream-column-layout.js";
import { StreamReader } from "./stream-reader.js";

/** The options of readStreams/scanStreams besides the common ScanOptions. */
const STREAMS_OPTIONS: readonly string[] = [
  ...optionNames<Omit<StreamScanOptions, keyof ScanOptions | keyof StreamLayoutOptions>>()([
    "start",
    "end",
    "countPerStream",
    "pageSize",
  ]),
  ...STREAM_LAYOUT_OPTION_NAMES,
];

export interface StreamScanOptions extends ScanOptions, StreamLayoutOptions {
  /** First id to read: "-" (oldest), an id "1700000000000-0" or "1700000000000", or "(id" to exclude it. ["-"] */
  start?: string | undefined;
  /** Last id to read: "+" (newest) or an id. ["+"] */
  end?: string | undefined;
  /** At most this many entries from each stream. [all] */
  countPerStream?: number | undefined;
  /** Entries per XRANGE call. [1000] */
  pageSize?: number | undefined;
}

const STREAM_ID = /^(?:[-+]|\(?\d+(?:-\d+)?)$/;
/** Streams hold many rows per key: fewer keys per batch keep a frame's size in check. */
const DEFAULT_STREAM_BATCH_SIZE = 100;

/**
 * Scans streams, one row per entry: `[_index] [_key] [_ttl] [_id] [_ts] [_seq]` then the fields. Entries are
 * read with XRANGE pages, so a long stream spans several frames. Default `batchSize` is 100 streams.
 */
export function scanStreams(connection: RedisConnection, options: StreamScanOptions = {}): ScanIterable {
  return createStreamScan(connection, options);
}

/** Reads every matching stream into one DataFrame (`scanStreams`, concatenated). */
export async function readStreams(
  connection: RedisConnection,
  options: StreamScanOptions = {},
): Promise<DataFrame> {
  return readAll(createStreamScan(connection, options));
}

function createStreamScan(connection: RedisConnection, options: StreamScanOptions): Scan {
  const common = resolveScanOptions(options, {
    batchSize: DEFAULT_STREAM_BATCH_SIZE,
    call: { function: "readStreams/scanStreams", connection, options: STREAMS_OPTIONS },
  });
  const layout = resolveStreamLayout(options);
  const range = {
    start: streamId(options.start, "start", "-"),
    end: streamId(options.end, "end", "+"),
    countPerStream:
      options.countPerStream === undefined
        ? undefined
        : positiveInteger(options.countPerStream, "countPerStream", 1),
    pageSize: resolvePageSize(options.pageSize),
  };
  return new Scan(connection, new StreamReader(layout, range), common);
}

function streamId(value: unknown, argument: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== "string" || !STREAM_ID.test(value)) {
    throw new InvalidArgumentError(
      argument,
      `expected "-", "+", a stream id such as "1700000000000-0", or "(id", got ${JSON.stringify(value)}`,
    );
  }
  return value;
}
