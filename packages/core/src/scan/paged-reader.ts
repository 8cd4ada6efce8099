import type { BatchReply, Command, RedisKeyType } from "../connection/redis-connection.js";
import type { ColumnBuilder } from "./columns/column-builder.js";
import { createColumnBuilder } from "./columns/create-column-builder.js";
import { skipWrongType } from "./reply-errors.js";
import { RowKeyIndexes } from "./row-key-indexes.js";
import { requireScalar } from "./scalar-field.js";
import type { ColumnSpec, ReadContext, RowChunk, ScanReader } from "./scan-reader.js";

/** What reading one page of a key produced. */
export interface PageResult<Cursor> {
  /** Rows appended. */
  readonly rows: number;
  /** Where the next page starts, or undefined when the key is done. */
  readonly next: Cursor | undefined;
}

/**
 * The part of a paged type that differs per type: where a key's first page starts, the command for a page,
 * and how a page reply becomes rows.
 */
export interface PageFormat<Cursor> {
  readonly keyType: RedisKeyType;
  readonly columns: readonly ColumnSpec[];
  readonly firstCursor: Cursor;
  pageCommand(key: string, cursor: Cursor): Command;
  /** Appends the rows of one page reply to the builders (one per column, in `columns` order). */
  appendPage(
    key: string,
    reply: BatchReply,
    cursor: Cursor,
    builders: readonly ColumnBuilder[],
    context: ReadContext,
  ): PageResult<Cursor>;
  /** Whether an empty first page means the key is gone (true for sets, lists, zsets: they cannot be empty). */
  readonly emptyMeansMissing: boolean;
}

/**
 * Reads keys that hold many elements (sets, lists, sorted sets, streams) page by page. Each round trip asks
 * every unfinished key of the batch for its next page (at most `pageSize` elements each) and yields those
 * rows as one chunk, so one huge key is never held in memory at once; it simply spans several frames.
 */
export class PagedReader<Cursor> implements ScanReader {
  readonly keyType: RedisKeyType;
  readonly columns: readonly ColumnSpec[];
  private readonly format: PageFormat<Cursor>;

  constructor(format: PageFormat<Cursor>) {
    this.format = format;
    this.keyType = format.keyType;
    this.columns = format.columns;
  }

  async *readBatch(keys: readonly string[], context: ReadContext): AsyncGenerator<RowChunk> {
    const { format } = this;
    let pending: { keyIndex: number; cursor: Cursor }[] = keys.map((_, keyIndex) => ({
      keyIndex,
      cursor: format.firstCursor,
    }));
    let firstRound = true;
    while (pending.length > 0) {
      const replies = await context.batch(
        pending.map(({ keyIndex, cursor }) => format.pageCommand(keys[keyIndex]!, cursor)),
      );
      const rowKeys = new RowKeyIndexes(pending.length);
      const builders = format.columns.map((spec) =>
        createColumnBuilder(requireScalar(spec.dtype), pending.length),
      );
      const next: typeof pending = [];
      pending.forEach(({ keyIndex, cursor }, i) => {
        const reply = replies[i]!;
        if (skipWrongType(reply, context)) return;
        const page = format.appendPage(keys[keyIndex]!, reply, cursor, builders, context);
        if (firstRound && page.rows === 0 && page.next === undefined && format.emptyMeansMissing)
          context.keyMissing();
        rowKeys.add(keyIndex, page.rows);
        if (page.next !== undefined) next.push({ keyIndex, cursor: page.next });
      });
      const rowCount = rowKeys.length;
      yield { rowCount, keyIndexes: rowKeys.take(), columns: builders.map((builder) => builder.finish()) };
      pending = next;
      firstRound = false;
    }
  }
}
