import { Field, makeData, RecordBatch, Schema, Struct, Table, tableToIPC, Utf8 } from "apache-arrow";
import pl from "nodejs-polars";
import type { ByteColumn } from "./byte-column.js";

/** Packs the columns' bytes into one Arrow IPC buffer and lets Polars read it: one native call per frame. */
export function byteColumnsToFrame(names: readonly string[], columns: readonly ByteColumn[]): pl.DataFrame {
  const length = columns[0]?.length ?? 0;
  const fields = names.map((name) => new Field(name, new Utf8(), true));
  const children = columns.map((column) =>
    makeData({
      type: new Utf8(),
      length,
      nullCount: column.nullCount,
      valueOffsets: column.offsets.subarray(0, length + 1),
      data: column.data.subarray(0, column.byteLength),
      nullBitmap: column.nullCount > 0 ? toBitmap(column.validity, length) : undefined,
    }),
  );
  const schema = new Schema(fields);
  const structData = makeData({ type: new Struct(fields), length, nullCount: 0, children });
  const table = new Table(schema, new RecordBatch(schema, structData));
  const bytes = tableToIPC(table, "file");
  return pl.readIPC(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

function toBitmap(validity: Uint8Array, length: number): Uint8Array {
  const bitmap = new Uint8Array((length + 7) >> 3);
  for (let i = 0; i < length; i++) if (validity[i] === 1) bitmap[i >> 3]! |= 1 << (i & 7);
  return bitmap;
}
