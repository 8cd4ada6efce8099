import type { DataFrame } from "nodejs-polars";
import type { BatchReply, Command, RedisConnection } from "../../connection/redis-connection.js";
import type { DtypeInput } from "../../schema/dtype.js";
import type { ColumnBuilder } from "../columns/column-builder.js";
import type { Int64ColumnBuilder } from "../columns/int64-column-builder.js";
import { resolvePageSize } from "../page-size.js";
import { PagedReader, type PageFormat, type PageResult } from "../paged-reader.js";
import { readAll } from "../read-all.js";
import { resolveScalarDtype } from "../scalar-field.js";
import { Scan, type ScanIterable } from "../scan.js";
import { flag, nonEmptyString, resolveScanOptions, type ScanOptions } from "../scan-options.js";
import type { ColumnSpec, ReadContext } from "../scan-reader.js";

export interface ZsetScanOptions extends ScanOptions {
  /** ["member"] */
  memberColumn?: string;
  /** The dtype members are read as. [Utf8] */
  memberType?: DtypeInput;
  /** Float64 score column. ["score"] */
  scoreColumn?: string;
  /** Add each member's 0-based rank (ascending score), Int64. [false] */
  includeRank?: boolean;
  /** ["rank"] */
  rankColumn?: string;
  /** Members per ZRANGE call: a big sorted set is read in rank ranges of this size. [1000] */
  pageSize?: number;
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
  const common = resolveScanOptions(options);
  const memberColumn = nonEmptyString(options.memberColumn, "memberColumn", "member");
  const memberType = resolveScalarDtype(options.memberType, "memberType", { kind: "utf8" });
  const scoreColumn = nonEmptyString(options.scoreColumn, "scoreColumn", "score");
  const includeRank = flag(options.includeRank, "includeRank", false);
  const rankColumn = nonEmptyString(options.rankColumn, "rankColumn", "rank");
  const pageSize = resolvePageSize(options.pageSize);
  const columns: ColumnSpec[] = [
    ...(includeRank ? [{ name: rankColumn, dtype: { kind: "int64" } } as const] : []),
    { name: memberColumn, dtype: memberType },
    { name: scoreColumn, dtype: { kind: "float64" } },
  ];
  const first = includeRank ? 1 : 0;
  const format: PageFormat<number> = {
    keyType: "zset",
    columns,
    firstCursor: 0,
    emptyMeansMissing: true,
    pageCommand: (key, start): Command => ["ZRANGE", key, start, start + pageSize - 1, "WITHSCORES"],
    appendPage(
      key: string,
      reply: BatchReply,
      start: number,
      builders: readonly ColumnBuilder[],
      context: ReadContext,
    ): PageResult<number> {
      const pairs = reply as Buffer[];
      const rankBuilder = includeRank ? (builders[0] as Int64ColumnBuilder) : undefined;
      const memberBuilder = builders[first]!;
      const scoreBuilder = builders[first + 1]!;
      const count = pairs.length / 2;
      let bytes = 0;
      for (let i = 0; i < count; i++) {
        const member = pairs[2 * i]!;
        const score = pairs[2 * i + 1]!;
        bytes += member.length + score.length;
        rankBuilder?.appendInteger(start + i);
        context.coercion.append(memberBuilder, member, key, memberColumn);
        context.coercion.append(scoreBuilder, score, key, scoreColumn);
      }
      context.addBytes(bytes);
      return { rows: count, next: count === pageSize ? start + pageSize : undefined };
    },
  };
  return new Scan(connection, new PagedReader(format), common);
}
