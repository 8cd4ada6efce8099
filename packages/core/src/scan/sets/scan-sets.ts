import type { DataFrame } from "nodejs-polars";
import type { BatchReply, Command, RedisConnection } from "../../connection/redis-connection.js";
import type { DtypeInput } from "../../schema/dtype.js";
import { optionNames } from "../../validation/option-names.js";
import type { ColumnBuilder } from "../columns/column-builder.js";
import { resolvePageSize } from "../page-size.js";
import { PagedReader, type PageFormat, type PageResult } from "../paged-reader.js";
import { readAll } from "../read-all.js";
import { resolveScalarDtype } from "../scalar-field.js";
import { Scan, type ScanIterable } from "../scan.js";
import { nonEmptyString, resolveScanOptions, type ScanOptions } from "../scan-options.js";
import type { ReadContext } from "../scan-reader.js";

/** The options of readSets/scanSets besides the common ScanOptions. */
const SETS_OPTIONS = optionNames<Omit<SetScanOptions, keyof ScanOptions>>()([
  "memberColumn",
  "memberType",
  "pageSize",
]);

export interface SetScanOptions extends ScanOptions {
  /** ["member"] */
  memberColumn?: string | undefined;
  /** The dtype members are read as. [Utf8] */
  memberType?: DtypeInput | undefined;
  /** Members per SSCAN call (its COUNT hint): a big set is read in pages of about this size. [1000] */
  pageSize?: number | undefined;
}

/**
 * Scans sets, one row per member: `[_index] [_key] [_ttl] member`. Members are read with SSCAN pages, so a
 * set of millions of members spans several frames instead of being loaded at once. As with SSCAN itself, a
 * set modified during the read may show a member twice or miss one added meanwhile.
 */
export function scanSets(connection: RedisConnection, options: SetScanOptions = {}): ScanIterable {
  return createSetScan(connection, options);
}

/** Reads every matching set into one DataFrame (`scanSets`, concatenated). */
export async function readSets(
  connection: RedisConnection,
  options: SetScanOptions = {},
): Promise<DataFrame> {
  return readAll(createSetScan(connection, options));
}

function createSetScan(connection: RedisConnection, options: SetScanOptions): Scan {
  const common = resolveScanOptions(options, {
    call: { function: "readSets/scanSets", connection, options: SETS_OPTIONS },
  });
  const memberColumn = nonEmptyString(options.memberColumn, "memberColumn", "member");
  const memberType = resolveScalarDtype(options.memberType, "memberType", { kind: "utf8" });
  const pageSize = resolvePageSize(options.pageSize);
  const format: PageFormat<string> = {
    keyType: "set",
    columns: [{ name: memberColumn, dtype: memberType }],
    firstCursor: "0",
    emptyMeansMissing: true,
    pageCommand: (key, cursor): Command => ["SSCAN", key, cursor, "COUNT", pageSize],
    appendPage(
      key: string,
      reply: BatchReply,
      _cursor: string,
      builders: readonly ColumnBuilder[],
      context: ReadContext,
    ): PageResult<string> {
      const [cursor, members] = reply as [Buffer, Buffer[]];
      const builder = builders[0]!;
      let bytes = 0;
      for (const member of members) {
        bytes += member.length;
        context.coercion.append(builder, member, key, memberColumn);
      }
      context.addBytes(bytes);
      const next = cursor.toString("latin1");
      return { rows: members.length, next: next === "0" ? undefined : next };
    },
  };
  return new Scan(connection, new PagedReader(format), common);
}
