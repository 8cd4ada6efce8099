import type { DataFrame } from "nodejs-polars";
import type { RedisConnection } from "../../connection/redis-connection.js";
import type { DtypeInput } from "../../schema/dtype.js";
import { optionNames } from "../../validation/option-names.js";
import { indexRangeFormat } from "../index-range-format.js";
import { resolvePageSize } from "../page-size.js";
import { PagedReader } from "../paged-reader.js";
import { readAll } from "../read-all.js";
import { resolveScalarDtype } from "../scalar-field.js";
import { Scan, type ScanIterable } from "../scan.js";
import { nonEmptyString, optionalColumn, resolveScanOptions, type ScanOptions } from "../scan-options.js";

/** The options of readLists/scanLists besides the common ScanOptions. */
const LISTS_OPTIONS = optionNames<Omit<ListScanOptions, keyof ScanOptions>>()([
  "elementColumn",
  "elementType",
  "includePosition",
  "positionColumn",
  "pageSize",
]);

export interface ListScanOptions extends ScanOptions {
  /** ["element"] */
  elementColumn?: string | undefined;
  /** The dtype elements are read as. [Utf8] */
  elementType?: DtypeInput | undefined;
  /** Add each element's 0-based position in its list, Int64. [false] */
  includePosition?: boolean | undefined;
  /** ["position"] */
  positionColumn?: string | undefined;
  /** Elements per LRANGE call: a long list is read in ranges of this size. [1000] */
  pageSize?: number | undefined;
}

/**
 * Scans lists, one row per element in list order: `[_index] [_key] [_ttl] [position] element`. Elements are
 * read in LRANGE ranges of `pageSize`, so a list of millions spans several frames instead of being loaded at
 * once. Positions come from the ranges: a list pushed or popped at its head during the read shifts them.
 */
export function scanLists(connection: RedisConnection, options: ListScanOptions = {}): ScanIterable {
  return createListScan(connection, options);
}

/** Reads every matching list into one DataFrame (`scanLists`, concatenated). */
export async function readLists(
  connection: RedisConnection,
  options: ListScanOptions = {},
): Promise<DataFrame> {
  return readAll(createListScan(connection, options));
}

function createListScan(connection: RedisConnection, options: ListScanOptions): Scan {
  const common = resolveScanOptions(options, {
    call: { function: "readLists/scanLists", connection, options: LISTS_OPTIONS },
  });
  const elementColumn = nonEmptyString(options.elementColumn, "elementColumn", "element");
  const elementType = resolveScalarDtype(options.elementType, "elementType", { kind: "utf8" });
  const format = indexRangeFormat({
    keyType: "list",
    indexColumn: optionalColumn(options, "includePosition", false, "positionColumn", "position"),
    valueColumns: [{ name: elementColumn, dtype: elementType }],
    pageSize: resolvePageSize(options.pageSize),
    rangeCommand: (key, start, stop) => ["LRANGE", key, start, stop],
  });
  return new Scan(connection, new PagedReader(format), common);
}
