import type { BatchReply, Command, RedisKeyType } from "../connection/redis-connection.js";
import type { ColumnBuilder } from "./columns/column-builder.js";
import type { Int64ColumnBuilder } from "./columns/int64-column-builder.js";
import type { PageFormat, PageResult } from "./paged-reader.js";
import type { ColumnSpec, ReadContext } from "./scan-reader.js";

/** What differs between the types read by index ranges. */
export interface IndexRangeOptions {
  readonly keyType: RedisKeyType;
  /** Adds each row's index (list position, sorted-set rank) as an Int64 column in front, when set. */
  readonly indexColumn: string | undefined;
  /** The columns of one row, in the order its values come in the reply (ZRANGE WITHSCORES: member, score). */
  readonly valueColumns: readonly ColumnSpec[];
  /** Rows per range. */
  readonly pageSize: number;
  /** The command reading the rows at indexes `start` to `stop` (inclusive) of a key. */
  rangeCommand(key: string, start: number, stop: number): Command;
}

/**
 * The page format of types read by index ranges (LRANGE for lists, ZRANGE for sorted sets): a key's first
 * range starts at index 0, each range asks for the next `pageSize` rows, and a short range ends the key.
 * Indexes come from the ranges, so a key changed at its head during the read shifts them.
 */
export function indexRangeFormat(options: IndexRangeOptions): PageFormat<number> {
  const { indexColumn, valueColumns, pageSize } = options;
  const width = valueColumns.length;
  const first = indexColumn === undefined ? 0 : 1;
  const columns: ColumnSpec[] = [
    ...(indexColumn === undefined ? [] : [{ name: indexColumn, dtype: { kind: "int64" } } as const]),
    ...valueColumns,
  ];
  return {
    keyType: options.keyType,
    columns,
    firstCursor: 0,
    emptyMeansMissing: true,
    pageCommand: (key, start) => options.rangeCommand(key, start, start + pageSize - 1),
    appendPage(
      key: string,
      reply: BatchReply,
      start: number,
      builders: readonly ColumnBuilder[],
      context: ReadContext,
    ): PageResult<number> {
      const values = reply as Buffer[];
      const indexBuilder = first === 1 ? (builders[0] as Int64ColumnBuilder) : undefined;
      const rows = values.length / width;
      let bytes = 0;
      for (let row = 0; row < rows; row++) {
        indexBuilder?.appendInteger(start + row);
        for (let column = 0; column < width; column++) {
          const value = values[row * width + column]!;
          bytes += value.length;
          context.coercion.append(builders[first + column]!, value, key, valueColumns[column]!.name);
        }
      }
      context.addBytes(bytes);
      return { rows, next: rows === pageSize ? start + pageSize : undefined };
    },
  };
}
