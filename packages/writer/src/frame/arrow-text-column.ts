import { InvalidArgumentError } from "@polars-redis/core";
import { type Data, Type, tableFromIPC } from "apache-arrow";
import type { DataFrame, Expr } from "nodejs-polars";

/**
 * A text column read straight from Polars' Arrow memory: values are copied as bytes into a command buffer,
 * never turned into JS strings (toArray costs ~0.2 µs and a string per value, and the garbage that follows).
 */
export interface ArrowTextColumn {
  readonly length: number;
  isNull(row: number): boolean;
  byteLength(row: number): number;
  /** Copies the value's bytes to `target` at `offset`. */
  copyTo(row: number, target: Uint8Array, offset: number): void;
  /** The value decoded as UTF-8 (for the few values a writer needs as JS strings, such as keys). */
  text(row: number): string;
}

/**
 * Evaluates `expressions` (each giving a String column, e.g. from textExpression) over `frame` and returns their
 * values as ArrowTextColumns, in order, through one Arrow IPC hand-over. (One select and one IPC buffer cost far less
 * than a Series per column: nodejs-polars builds a large wrapper object for every Series and Expr.)
 */
export function arrowTextColumns(
  frame: DataFrame,
  expressions: readonly Expr[],
  expectedNames?: readonly string[],
): ArrowTextColumn[] {
  if (expressions.length === 0) return [];
  const text = frame.select(...expressions).rechunk();
  const table = tableFromIPC(text.writeIPC());
  const names = table.schema.fields.map((field) => field.name);
  if (expectedNames !== undefined && names.join("\u0000") !== expectedNames.join("\u0000")) {
    // pl.col reads a name like "^a.*$" as a pattern: never write a value under another column's name.
    throw new InvalidArgumentError(
      "frame",
      `the columns ${JSON.stringify(expectedNames)} selected as ${JSON.stringify(names)}; a column name that starts with "^" and ends with "$" is read by Polars as a pattern: rename it`,
    );
  }
  return table.schema.fields.map((_, index) => {
    const vector = table.getChildAt(index)!;
    const chunks = vector.data.map((data) => chunkReader(data as Data));
    return chunks.length === 1 ? chunks[0]! : new ChunkedTextColumn(chunks);
  });
}

function chunkReader(data: Data): ArrowTextColumn {
  switch (data.typeId) {
    case Type.Utf8View:
    case Type.BinaryView:
      return new ViewTextColumn(data);
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Binary:
    case Type.LargeBinary:
      return new OffsetTextColumn(data);
    case Type.Null:
      return new NullTextColumn(data.length);
    default:
      throw new Error(`internal: expected a text column from Polars, got Arrow type ${String(data.type)}`);
  }
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

abstract class BitmapColumn {
  readonly length: number;
  protected readonly offset: number;
  private readonly validity: Uint8Array | undefined;

  constructor(data: Data) {
    this.length = data.length;
    this.offset = data.offset;
    this.validity = data.nullCount > 0 ? data.nullBitmap : undefined;
  }

  isNull(row: number): boolean {
    if (this.validity === undefined) return false;
    const bit = row + this.offset;
    return (this.validity[bit >> 3]! & (1 << (bit & 7))) === 0;
  }
}

/** Utf8View: 16 bytes per value; up to 12 bytes inline, longer ones in a variadic data buffer. */
class ViewTextColumn extends BitmapColumn implements ArrowTextColumn {
  private readonly views: DataView;
  private readonly viewBytes: Buffer;
  private readonly buffers: Buffer[];

  constructor(data: Data) {
    super(data);
    const views = data.values as Uint8Array;
    this.viewBytes = asBuffer(views);
    this.views = new DataView(views.buffer, views.byteOffset, views.byteLength);
    this.buffers = ((data as unknown as { variadicBuffers: Uint8Array[] }).variadicBuffers ?? []).map(
      asBuffer,
    );
  }

  text(row: number): string {
    const at = (row + this.offset) * 16;
    const length = this.views.getInt32(at, true);
    if (length <= 12) return this.viewBytes.toString("utf8", at + 4, at + 4 + length);
    const start = this.views.getInt32(at + 12, true);
    return this.buffers[this.views.getInt32(at + 8, true)]!.toString("utf8", start, start + length);
  }

  byteLength(row: number): number {
    return this.views.getInt32((row + this.offset) * 16, true);
  }

  copyTo(row: number, target: Uint8Array, offset: number): void {
    const at = (row + this.offset) * 16;
    const length = this.views.getInt32(at, true);
    if (length <= 12) {
      for (let i = 0; i < length; i++) target[offset + i] = this.viewBytes[at + 4 + i]!;
      return;
    }
    const buffer = this.buffers[this.views.getInt32(at + 8, true)]!;
    const start = this.views.getInt32(at + 12, true);
    if (length <= 32) {
      for (let i = 0; i < length; i++) target[offset + i] = buffer[start + i]!;
    } else {
      target.set(buffer.subarray(start, start + length), offset);
    }
  }
}

/** Utf8 / LargeUtf8: offsets into one data buffer. */
class OffsetTextColumn extends BitmapColumn implements ArrowTextColumn {
  private readonly offsets: ArrayLike<number | bigint>;
  private readonly bytes: Buffer;

  constructor(data: Data) {
    super(data);
    this.offsets = data.valueOffsets as unknown as ArrayLike<number | bigint>;
    this.bytes = asBuffer(data.values as Uint8Array);
  }

  text(row: number): string {
    const [start, end] = this.bounds(row);
    return this.bytes.toString("utf8", start, end);
  }

  private bounds(row: number): [number, number] {
    const index = row + this.offset;
    return [Number(this.offsets[index]), Number(this.offsets[index + 1])];
  }

  byteLength(row: number): number {
    const [start, end] = this.bounds(row);
    return end - start;
  }

  copyTo(row: number, target: Uint8Array, offset: number): void {
    const [start, end] = this.bounds(row);
    target.set(this.bytes.subarray(start, end), offset);
  }
}

class NullTextColumn implements ArrowTextColumn {
  constructor(readonly length: number) {}
  isNull(): boolean {
    return true;
  }
  byteLength(): number {
    return 0;
  }
  copyTo(): void {}
  text(): string {
    return "";
  }
}

/** Several Arrow chunks behind one row index (rechunk normally leaves one). */
class ChunkedTextColumn implements ArrowTextColumn {
  readonly length: number;
  private readonly starts: number[] = [];

  constructor(private readonly chunks: ArrowTextColumn[]) {
    let start = 0;
    for (const chunk of chunks) {
      this.starts.push(start);
      start += chunk.length;
    }
    this.length = start;
  }

  private locate(row: number): [ArrowTextColumn, number] {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.starts[middle]! <= row) low = middle;
      else high = middle - 1;
    }
    return [this.chunks[low]!, row - this.starts[low]!];
  }

  isNull(row: number): boolean {
    const [chunk, local] = this.locate(row);
    return chunk.isNull(local);
  }

  byteLength(row: number): number {
    const [chunk, local] = this.locate(row);
    return chunk.byteLength(local);
  }

  copyTo(row: number, target: Uint8Array, offset: number): void {
    const [chunk, local] = this.locate(row);
    chunk.copyTo(local, target, offset);
  }

  text(row: number): string {
    const [chunk, local] = this.locate(row);
    return chunk.text(local);
  }
}

/** The text of one column (see textExpression), as JS strings, null where the value is null. */
export function columnText(frame: DataFrame, expression: Expr): (string | null)[] {
  const [column] = arrowTextColumns(frame, [expression]);
  const values = new Array<string | null>(column!.length);
  for (let row = 0; row < values.length; row++) values[row] = column!.isNull(row) ? null : column!.text(row);
  return values;
}
