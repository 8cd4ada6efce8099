import type { DataFrame } from "nodejs-polars";
import type { RedisConnection } from "../../connection/redis-connection.js";
import { InvalidArgumentError } from "../../errors/invalid-argument-error.js";
import type { SchemaInput } from "../../schema/schema.js";
import { resolvePageSize } from "../page-size.js";
import { readAll } from "../read-all.js";
import { resolveFields } from "../scalar-field.js";
import { Scan, type ScanIterable } from "../scan.js";
import {
  flag,
  nonEmptyString,
  positiveInteger,
  resolveScanOptions,
  type ScanOptions,
} from "../scan-options.js";
import type { StreamColumnLayout } from "./stream-entry-columns.js";
import { StreamReader } from "./stream-reader.js";

export interface StreamScanOptions extends ScanOptions {
  /** Field → dtype. Without a schema (and without `columns`), every field found becomes a Utf8 column. */
  schema?: SchemaInput;
  /** Read only these fields (schema fields when a schema is given, else Utf8). */
  columns?: readonly string[];
  /** Add the entry id, Utf8. [true] */
  includeId?: boolean;
  /** ["_id"] */
  idColumn?: string;
  /** Add the id's time part, Datetime("ms"). [true] */
  includeTimestamp?: boolean;
  /** ["_ts"] */
  timestampColumn?: string;
  /** Add the id's sequence part, Int64. [false] */
  includeSequence?: boolean;
  /** ["_seq"] */
  sequenceColumn?: string;
  /** First id to read: "-" (oldest), an id "1700000000000-0" or "1700000000000", or "(id" to exclude it. ["-"] */
  start?: string;
  /** Last id to read: "+" (newest) or an id. ["+"] */
  end?: string;
  /** At most this many entries from each stream. [all] */
  countPerStream?: number;
  /** Entries per XRANGE call. [1000] */
  pageSize?: number;
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
  const common = resolveScanOptions(options, { batchSize: DEFAULT_STREAM_BATCH_SIZE });
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

/** The columns stream entries become, from the stream options (shared with `streamEntriesToFrame`). */
export function resolveStreamLayout(options: {
  schema?: SchemaInput;
  columns?: readonly string[];
  includeId?: boolean;
  idColumn?: string;
  includeTimestamp?: boolean;
  timestampColumn?: string;
  includeSequence?: boolean;
  sequenceColumn?: string;
}): StreamColumnLayout {
  const fields =
    options.schema === undefined && options.columns === undefined
      ? undefined
      : resolveFields(options.schema, options.columns, "stream").fields;
  return {
    idColumn: flag(options.includeId, "includeId", true)
      ? nonEmptyString(options.idColumn, "idColumn", "_id")
      : undefined,
    timestampColumn: flag(options.includeTimestamp, "includeTimestamp", true)
      ? nonEmptyString(options.timestampColumn, "timestampColumn", "_ts")
      : undefined,
    sequenceColumn: flag(options.includeSequence, "includeSequence", false)
      ? nonEmptyString(options.sequenceColumn, "sequenceColumn", "_seq")
      : undefined,
    fields,
  };
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
