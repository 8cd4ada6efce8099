import type { DataFrame } from "nodejs-polars";
import type { RedisConnection } from "../../connection/redis-connection.js";
import type { DtypeInput } from "../../schema/dtype.js";
import { optionNames } from "../../validation/option-names.js";
import { readAll } from "../read-all.js";
import { resolveScalarDtype } from "../scalar-field.js";
import { Scan, type ScanIterable } from "../scan.js";
import { nonEmptyString, resolveScanOptions, type ScanOptions } from "../scan-options.js";
import { StringReader } from "./string-reader.js";

/** The options of readStrings/scanStrings besides the common ScanOptions. */
const STRINGS_OPTIONS = optionNames<Omit<StringScanOptions, keyof ScanOptions>>()([
  "valueType",
  "valueColumn",
]);

export interface StringScanOptions extends ScanOptions {
  /** The dtype values are read as. [Utf8] */
  valueType?: DtypeInput | undefined;
  /** ["value"] */
  valueColumn?: string | undefined;
}

/** Scans string keys, one row per key: `[_index] [_key] [_ttl] value`, values read with MGET. */
export function scanStrings(connection: RedisConnection, options: StringScanOptions = {}): ScanIterable {
  return createStringScan(connection, options);
}

/** Reads every matching string key into one DataFrame (`scanStrings`, concatenated). */
export async function readStrings(
  connection: RedisConnection,
  options: StringScanOptions = {},
): Promise<DataFrame> {
  return readAll(createStringScan(connection, options));
}

function createStringScan(connection: RedisConnection, options: StringScanOptions): Scan {
  const common = resolveScanOptions(options, {
    call: { function: "readStrings/scanStrings", connection, options: STRINGS_OPTIONS },
  });
  const valueColumn = nonEmptyString(options.valueColumn, "valueColumn", "value");
  const valueType = resolveScalarDtype(options.valueType, "valueType", { kind: "utf8" });
  return new Scan(connection, new StringReader(valueColumn, valueType), common);
}
