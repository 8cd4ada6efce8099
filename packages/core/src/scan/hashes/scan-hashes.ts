import type { DataFrame } from "nodejs-polars";
import type { RedisConnection } from "../../connection/redis-connection.js";
import type { SchemaInput } from "../../schema/schema.js";
import { optionNames } from "../../validation/option-names.js";
import { readAll } from "../read-all.js";
import { resolveFields } from "../scalar-field.js";
import { Scan, type ScanIterable } from "../scan.js";
import { resolveScanOptions, type ScanOptions } from "../scan-options.js";
import { FastHashSource } from "./fast-hash-source.js";
import { HashReader } from "./hash-reader.js";

/** The options of readHashes/scanHashes besides the common ScanOptions. */
const HASHES_OPTIONS = optionNames<Omit<HashScanOptions, keyof ScanOptions>>()(["schema", "columns"]);

export interface HashScanOptions extends ScanOptions {
  /** Field → dtype. Required unless `columns` is given (then those fields are read as Utf8). */
  schema?: SchemaInput | undefined;
  /** Read only these fields (HMGET instead of HGETALL); they must be schema fields when a schema is given. */
  columns?: readonly string[] | undefined;
}

/**
 * Scans hashes into DataFrames, one row per hash: `[_index] [_key] [_ttl]` then the schema's fields, in
 * batches of `batchSize` keys.
 *
 * ```ts
 * for await (const frame of scanHashes(conn, { pattern: "user:*", schema: { name: pl.Utf8, age: pl.Int64 } })) {
 *   console.log(frame.height);
 * }
 * ```
 */
export function scanHashes(connection: RedisConnection, options: HashScanOptions): ScanIterable {
  return createHashScan(connection, options);
}

/** Reads every matching hash into one DataFrame (`scanHashes`, concatenated). */
export async function readHashes(connection: RedisConnection, options: HashScanOptions): Promise<DataFrame> {
  return readAll(createHashScan(connection, options));
}

function createHashScan(connection: RedisConnection, options: HashScanOptions): Scan {
  const common = resolveScanOptions(options, {
    call: { function: "readHashes/scanHashes", connection, options: HASHES_OPTIONS },
  });
  const { fields, projected } = resolveFields(options?.schema, options?.columns, "hash");
  return new Scan(connection, new HashReader(fields, { projected }), common, {
    fastSource: new FastHashSource(fields, projected, common),
  });
}
