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

/** The options of readZsets/scanZsets besides the common ScanOptions. */
const ZSETS_OPTIONS = optionNames<Omit<ZsetScanOptions, keyof ScanOptions>>()([
  "memberColumn",
  "memberType",
  "scoreColumn",
  "includeRank",
  "rankColumn",
  "pageSize",
]);

export interface ZsetScanOptions extends ScanOptions {
  /** ["member"] */
  memberColumn?: string | undefined;
  /** The dtype members are read as. [Utf8] */
  memberType?: DtypeInput | undefined;
  /** Float64 score column. ["score"] */
  scoreColumn?: string | undefined;
  /** Add each member's 0-based rank (ascending score), Int64. [false] */
  includeRank?: boolean | undefined;
  /** ["rank"] */
  rankColumn?: string | undefined;
  /** Members per ZRANGE call: a big sorted set is read in rank ranges of this size. [1000] */
  pageSize?: number | undefined;
}

/**
 * Scans sorted sets, one row per member in ascending score order: `[_index] [_key] [_ttl] [rank] member
 * score`. Members are read in ZRANGE rank ranges of `pageSize` (WITHSCORES), so a sorted set of millions spans
 * several frames instead of being loaded at once. A set changed during the read may shift ranks.
 */
export function scanZsets(connection: RedisConnection, options: ZsetScanOptions = {}): ScanIterable {
  return createZsetScan(connection, options);
}

/** Reads every matching sorted set into one DataFrame (`scanZsets`, concatenated). */
export async function readZsets(
  connection: RedisConnection,
  options: ZsetScanOptions = {},
): Promise<DataFrame> {
  return readAll(createZsetScan(connection, options));
}

function createZsetScan(connection: RedisConnection, options: ZsetScanOptions): Scan {
  const common = resolveScanOptions(options, {
    call: { function: "readZsets/scanZsets", connection, options: ZSETS_OPTIONS },
  });
  const memberColumn = nonEmptyString(options.memberColumn, "memberColumn", "member");
  const memberType = resolveScalarDtype(options.memberType, "memberType", { kind: "utf8" });
  const scoreColumn = nonEmptyString(options.scoreColumn, "scoreColumn", "score");
  const format = indexRangeFormat({
    keyType: "zset",
    indexColumn: optionalColumn(options, "includeRank", false, "rankColumn", "rank"),
    valueColumns: [
      { name: memberColumn, dtype: memberType },
      { name: scoreColumn, dtype: { kind: "float64" } },
    ],
    pageSize: resolvePageSize(options.pageSize),
    rangeCommand: (key, start, stop) => ["ZRANGE", key, start, stop, "WITHSCORES"],
  });
  return new Scan(connection, new PagedReader(format), common);
}
