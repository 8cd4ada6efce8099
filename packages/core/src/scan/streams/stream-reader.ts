import type { Command } from "../../connection/redis-connection.js";
import { skipWrongType } from "../reply-errors.js";
import { RowKeyIndexes } from "../row-key-indexes.js";
import type { ColumnSpec, ReadContext, RowChunk, ScanReader } from "../scan-reader.js";
import { type StreamColumnLayout, streamColumnSpecs } from "./stream-column-layout.js";
import { StreamEntryColumns } from "./stream-entry-columns.js";

/** Where the next XRANGE page of a stream starts, and how many entries it may still take. */
interface StreamCursor {
  readonly start: string;
  readonly remaining: number;
}

export interface StreamRange {
  /** First id ("-" for the oldest, or "1700000000000-0", or "(id" to exclude it). */
  readonly start: string;
  /** Last id ("+" for the newest). */
  readonly end: string;
  /** At most this many entries per stream; undefined for all. */
  readonly countPerStream: number | undefined;
  /** Entries per XRANGE call. */
  readonly pageSize: number;
}

/**
 * Streams: one row per entry, read with XRANGE pages of `pageSize` (continuing after the last id seen), so a
 * stream of millions of entries spans several frames instead of being loaded at once. An empty stream and a
 * stream deleted after SCAN both give no rows (XRANGE cannot tell them apart), and neither is counted.
 */
export class StreamReader implements ScanReader {
  readonly keyType = "stream" as const;
  readonly columns: readonly ColumnSpec[];
  readonly dynamicColumns: boolean;
  private readonly layout: StreamColumnLayout;
  private readonly range: StreamRange;

  constructor(layout: StreamColumnLayout, range: StreamRange) {
    this.layout = layout;
    this.range = range;
    this.columns = streamColumnSpecs(layout);
    this.dynamicColumns = layout.fields === undefined;
  }

  async *readBatch(keys: readonly string[], context: ReadContext): AsyncGenerator<RowChunk> {
    const { range } = this;
    let pending: { keyIndex: number; cursor: StreamCursor }[] = keys.map((_, keyIndex) => ({
      keyIndex,
      cursor: { start: range.start, remaining: range.countPerStream ?? Number.POSITIVE_INFINITY },
    }));
    while (pending.length > 0) {
      const counts = pending.map(({ cursor }) => Math.min(range.pageSize, cursor.remaining));
      const replies = await context.batch(
        pending.map(
          ({ keyIndex, cursor }, i): Command => [
            "XRANGE",
            keys[keyIndex]!,
            cursor.start,
            range.end,
            "COUNT",
            counts[i]!,
          ],
        ),
      );
      const entries = new StreamEntryColumns(this.layout, context.coercion, pending.length);
      const rowKeys = new RowKeyIndexes(pending.length);
      const next: typeof pending = [];
      pending.forEach(({ keyIndex, cursor }, i) => {
        const reply = replies[i]!;
        if (skipWrongType(reply, context)) return;
        const page = reply as [Buffer, Buffer[] | null][];
        const key = keys[keyIndex]!;
        for (const [id, fields] of page) entries.append(key, id, fields);
        rowKeys.add(keyIndex, page.length);
        const remaining = cursor.remaining - page.length;
        if (page.length === counts[i] && remaining > 0) {
          const lastId = page[page.length - 1]![0].toString("latin1");
          next.push({ keyIndex, cursor: { start: `(${lastId}`, remaining } });
        }
      });
      context.addBytes(entries.takeBytes());
      const { columns, extraColumns } = entries.finish();
      yield { rowCount: rowKeys.length, keyIndexes: rowKeys.take(), columns, extraColumns };
      pending = next;
    }
  }
}
