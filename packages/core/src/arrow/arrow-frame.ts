import { createRequire } from "node:module";
import { type Data, Field, makeData, RecordBatch, Schema, Struct, Table, tableToIPC } from "apache-arrow";
import pl, { type DataFrame } from "nodejs-polars";
import { anchorShape } from "./shape-anchors.js";

/** A column ready for Polars: its name, its Arrow data, and whether Polars should make it Categorical. */
export interface ArrowColumn {
  readonly name: string;
  readonly data: Data;
  readonly categorical?: boolean;
}

/**
 * Hands a whole frame to Polars as one Arrow IPC buffer: one native call per frame, where one `pl.Series` per
 * column would cost ~0.5 ms each. Polars copies the buffers, so the caller may reuse its own afterwards.
 */
export function arrowColumnsToFrame(columns: readonly ArrowColumn[], length: number): DataFrame {
  const fields = columns.map((column) => new Field(column.name, column.data.type, true));
  const schema = new Schema(fields);
  const batch = new RecordBatch(
    schema,
    makeData({
      type: new Struct(fields),
      length,
      nullCount: 0,
      children: columns.map((column) => column.data),
    }),
  );
  const bytes = tableToIPC(new Table(schema, batch), "file");
  const frame = pl.readIPC(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const categorical = columns.filter((column) => column.categorical).map((column) => column.name);
  if (categorical.length === 0) return frame;
  return frame.withColumns(...categorical.map((name) => pl.col(name).cast(pl.Categorical)));
}

/**
 * apache-arrow's IPC writer encodes each message with a new flatbuffers Builder, which dies with the message: one
 * live Builder (of the very flatbuffers module apache-arrow loaded, found from apache-arrow's own directory)
 * keeps its map, and the writer's optimized code, across full collections (shape-anchors.ts). Only a speed-up:
 * where the module cannot be found (a bundle, another layout), there is no anchor and nothing else changes.
 */
function anchorFlatbuffersBuilder(): void {
  try {
    const require = createRequire(import.meta.url);
    const flatbuffers = createRequire(require.resolve("apache-arrow"))("flatbuffers") as {
      Builder?: new (initialSize?: number) => unknown;
    };
    if (typeof flatbuffers.Builder === "function") anchorShape(new flatbuffers.Builder(1));
  } catch {
    // No anchor: the writer still works, it is only re-optimized after a full collection.
  }
}
anchorFlatbuffersBuilder();
