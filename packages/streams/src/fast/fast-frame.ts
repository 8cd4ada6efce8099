import { type ScalarDtype, SchemaMismatchError } from "@polars-redis/core";
import {
  type ArrowColumn,
  arrowColumnsToFrame,
  ByteColumn,
  byteColumnToArrow,
  resolveSchema,
} from "@polars-redis/core/internal";
import { Int64, makeData, Timestamp, TimeUnit } from "apache-arrow";
import type { DataFrame } from "nodejs-polars";
import type { ResolvedFrameOptions } from "../frame/stream-frame-options.js";
import type { StreamReplyDecoder } from "./stream-reply-decoder.js";

/** The fields a fast read decodes and how each becomes a column; undefined when the options need the slow path. */
export interface FastFrameLayout {
  /** Fields to read, in column order; undefined: every field, in order of appearance, as Utf8. */
  wanted: string[] | undefined;
  dtypes: Map<string, ScalarDtype>;
}

/**
 * The fast path covers the common layouts: no schema and no projection (every field as Utf8), a schema of
 * scalar dtypes, or a projection without a schema. Anything else is read the ordinary way.
 */
export function fastFrameLayout(options: ResolvedFrameOptions): FastFrameLayout | undefined {
  const { schema, columns } = options.entries;
  if (schema === undefined && columns === undefined) return { wanted: undefined, dtypes: new Map() };
  if (schema !== undefined && columns !== undefined) return undefined;
  if (schema === undefined) return { wanted: [...columns!], dtypes: new Map() };
  const fields = resolveSchema(schema);
  const dtypes = new Map<string, ScalarDtype>();
  for (const field of fields) {
    if (field.dtype.kind === "list" || field.dtype.kind === "struct") return undefined;
    dtypes.set(field.name, field.dtype as ScalarDtype);
  }
  return { wanted: fields.map((field) => field.name), dtypes };
}

/**
 * The decoded rows as one DataFrame, with the same columns, dtypes and conversion rules as entriesToFrame
 * (core's builders and parsers, through Arrow): `[_stream] [_id] [_ts] [_seq]` then the fields. One native
 * call for the whole frame.
 */
export function decodedToFrame(
  decoder: StreamReplyDecoder,
  options: ResolvedFrameOptions,
  layout: FastFrameLayout,
): { frame: DataFrame; nulled: number } {
  const rows = decoder.rows;
  const columns: ArrowColumn[] = [];
  const utf8: ScalarDtype = { kind: "utf8" };
  const noInvalid = (): void => {};
  if (options.streamColumn !== undefined) {
    const keys = decoder.streams.map((key) => Buffer.from(key, "utf8"));
    const column = new ByteColumn(Math.max(1, rows), 16 * Math.max(1, rows));
    for (let row = 0; row < rows; row++) {
      const key = keys[decoder.streamOfRow[row]!]!;
      column.appendBytes(key, 0, key.length);
    }
    columns.push({ name: options.streamColumn, data: byteColumnToArrow(column, utf8, noInvalid) });
  }
  const { entries } = options;
  if (entries.includeId)
    columns.push({ name: entries.idColumn, data: byteColumnToArrow(decoder.idColumn, utf8, noInvalid) });
  if (entries.includeTimestamp) {
    columns.push({
      name: entries.timestampColumn,
      data: int64Data(new Timestamp(TimeUnit.MILLISECOND, null), decoder.millis, rows),
    });
  }
  if (entries.includeSequence) {
    columns.push({ name: entries.sequenceColumn, data: int64Data(new Int64(), decoder.sequences, rows) });
  }
  let nulled = 0;
  for (const [name, column] of decoder.columns) {
    const dtype = layout.dtypes.get(name) ?? utf8;
    const data = byteColumnToArrow(column, dtype, (row) => {
      if (entries.onError === "raise") {
        const start = column.offsets[row]!;
        const end = column.offsets[row + 1]!;
        throw new SchemaMismatchError({
          key: decoder.streams[decoder.streamOfRow[row]!]!,
          field: name,
          rawValue: Buffer.from(column.data.subarray(start, end)).toString("utf8"),
          expected: dtype.kind,
        });
      }
      nulled++;
    });
    columns.push({ name, data, categorical: dtype.kind === "categorical" });
  }
  return { frame: arrowColumnsToFrame(columns, rows), nulled };
}

const TWO_POW_32 = 2 ** 32;

function int64Data(type: Int64 | Timestamp, values: Float64Array, rows: number) {
  const words = new Int32Array(rows * 2);
  for (let row = 0; row < rows; row++) {
    const value = values[row]!;
    const high = Math.floor(value / TWO_POW_32);
    words[row * 2] = value - high * TWO_POW_32;
    words[row * 2 + 1] = high;
  }
  return makeData({ type, length: rows, nullCount: 0, data: new BigInt64Array(words.buffer) } as never);
}
