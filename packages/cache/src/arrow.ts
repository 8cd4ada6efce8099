import { InvalidArgumentError, type RedisConnection } from "@polars-redis/core";
import { checkConnection } from "@polars-redis/core/internal";
import type { Table } from "apache-arrow";
import pl from "nodejs-polars";
import { decodeFrame, segmentRanges } from "./codec.js";
import { describe } from "./entry-keys.js";
import {
  type CacheInfo,
  type CacheReadOptions,
  type CacheWriteOptions,
  cacheFrame,
  checkReadCall,
  getCachedDataFrame,
  readPayload,
} from "./frame-cache.js";

/**
 * Caches an apache-arrow Table: handed to polars as Arrow IPC (no row-by-row conversion), then stored exactly
 * like a DataFrame, so any format and compression applies and `getCachedDataFrame` reads it too.
 */
export async function cacheTable(
  conn: RedisConnection,
  key: string,
  table: Table,
  options: CacheWriteOptions = {},
): Promise<CacheInfo> {
  checkConnection(conn, { function: "cacheTable" });
  const arrow = await import("apache-arrow");
  if (!(table instanceof arrow.Table) && !looksLikeTable(table)) {
    throw new InvalidArgumentError("table", `expected an apache-arrow Table, got ${describe(table)}`);
  }
  const bytes = arrow.tableToIPC(table, "file");
  const frame = pl.readIPC(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return cacheFrame("cacheTable", conn, key, frame, options);
}

/**
 * The cached entry as an apache-arrow Table, or null. An uncompressed IPC entry is handed to arrow as stored,
 * without polars; any other (compressed IPC, whose codecs arrow-js lacks, or Parquet) is decoded by polars and
 * re-encoded as uncompressed IPC first.
 */
export async function getCachedTable(
  conn: RedisConnection,
  key: string,
  options: CacheReadOptions = {},
): Promise<Table | null> {
  checkReadCall("getCachedTable", conn, key, options);
  const arrow = await import("apache-arrow");
  if (options.columns !== undefined || options.nRows !== undefined) {
    const frame = await getCachedDataFrame(conn, key, options);
    return frame === null ? null : arrow.tableFromIPC(frame.writeIPC({ compression: "uncompressed" }));
  }
  const payload = await readPayload(conn, key);
  if (payload === null) return null;
  const { head, bytes } = payload;
  if (head.format === "ipc" && head.compression === "uncompressed") {
    if (head.segments === undefined || head.segments.length <= 1) return arrow.tableFromIPC(bytes);
    // Each segment is a complete IPC file: their record batches make one table.
    const tables = segmentRanges(head.segments).map(([start, end]) =>
      arrow.tableFromIPC(bytes.subarray(start, end)),
    );
    return new arrow.Table(tables.flatMap((table) => table.batches));
  }
  return arrow.tableFromIPC(decodeFrame(bytes, {}, head.segments).writeIPC({ compression: "uncompressed" }));
}

function looksLikeTable(value: unknown): boolean {
  const candidate = value as { schema?: unknown; batches?: unknown; numRows?: unknown } | null;
  return (
    candidate != null &&
    typeof candidate === "object" &&
    Array.isArray(candidate.batches) &&
    typeof candidate.numRows === "number" &&
    candidate.schema != null
  );
}
