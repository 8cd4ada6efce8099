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

export interface ListScanOptions extends ScanOptions {
  /** ["element"] */
  elementColumn?: string;
  /** The dtype elements are read as. [Utf8] */
  elementType?: DtypeInput;
  /** Add each element's 0-based position in its list, Int64. [false] */
  includePosition?: boolean;
  /** ["position"] */
  positionColumn?: string;
  /** Elements per LRANGE call: a long list is read in ranges of this size. [1000] */
  pageSize?: number;
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
  const common = resolveScanOptions(options);
  const elementColumn = nonEmptyString(options.elementColumn, "elementColumn", "element");
  const elementType = resolveScalarDtype(options.elementType, "elementType", { kind: "utf8" });
  const includePosition = flag(options.includePosition, "includePosition", false);
  const positionColumn = nonEmptyString(options.positionColumn, "positionColumn", "position");
  const pageSize = resolvePageSize(options.pageSize);
  const columns: ColumnSpec[] = [
    ...(includePosition ? [{ name: positionColumn, dtype: { kind: "int64" } } as const] : []),
    { name: elementColumn, dtype: elementType },
  ];
  const format: PageFormat<number> = {
    keyType: "list",
    columns,
    firstCursor: 0,
    emptyMeansMissing: true,
    pageCommand: (key, start): Command => ["LRANGE", key, start, start + pageSize - 1],
    appendPage(
      key: string,
      reply: BatchReply,
      start: number,
      builders: readonly ColumnBuilder[],
      context: ReadContext,
    ): PageResult<number> {
      const elements = reply as Buffer[];
      const elementBuilder = builders[includePosition ? 1 : 0]!;
      const positionBuilder = includePosition ? (builders[0] as Int64ColumnBuilder) : undefined;
      let bytes = 0;
      for (let i = 0; i < elements.length; i++) {
        const element = elements[i]!;
        bytes += element.length;
        positionBuilder?.appendInteger(start + i);
        context.coercion.append(elementBuilder, element, key, elementColumn);
      }
      context.addBytes(bytes);
      return { rows: elements.length, next: elements.length === pageSize ? start + pageSize : undefined };
    },
  };
  return new Scan(connection, new PagedReader(format), common);
}
