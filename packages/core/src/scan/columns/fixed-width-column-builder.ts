import type { ScalarDtype } from "../../schema/dtype.js";
import type { ColumnBuilder, RawValue } from "./column-builder.js";
import type { ColumnData } from "./column-data.js";
import { grow } from "./growable.js";
import { toText } from "./to-text.js";

type Storage = Float64Array | Float32Array | Int32Array | Uint8Array;

/**
 * Float64, Float32, Int32, Date (epoch days) and Boolean (0/1 bytes) columns: fixed-width values that fit a
 * JS number exactly, in a typed array of the dtype's width. The parse function turns the text into the stored
 * number, or undefined when it is not one.
 */
export class FixedWidthColumnBuilder implements ColumnBuilder {
  readonly dtype: ScalarDtype;
  length = 0;
  private values: Storage;
  private validity: Uint8Array;
  private nullCount = 0;
  private readonly parse: (text: string) => number | undefined;
  private readonly capacity: number;

  constructor(dtype: ScalarDtype, parse: (text: string) => number | undefined, capacity: number) {
    this.dtype = dtype;
    this.parse = parse;
    this.capacity = capacity;
    this.values = this.allocate(capacity);
    this.validity = new Uint8Array(capacity);
  }

  append(raw: RawValue): boolean {
    const value = this.parse(toText(raw));
    if (value === undefined) return false;
    if (this.length === this.values.length) this.enlarge();
    this.values[this.length] = value;
    this.validity[this.length++] = 1;
    return true;
  }

  appendNull(): void {
    if (this.length === this.values.length) this.enlarge();
    this.values[this.length] = 0;
    this.validity[this.length++] = 0;
    this.nullCount++;
  }

  finish(): ColumnData {
    const data: ColumnData = {
      dtype: this.dtype,
      length: this.length,
      values: this.values.subarray(0, this.length),
      validity: this.nullCount > 0 ? this.validity.subarray(0, this.length) : null,
      nullCount: this.nullCount,
    };
    this.values = this.allocate(this.capacity);
    this.validity = new Uint8Array(this.capacity);
    this.length = 0;
    this.nullCount = 0;
    return data;
  }

  private enlarge(): void {
    this.values = grow(this.values);
    this.validity = grow(this.validity);
  }

  private allocate(capacity: number): Storage {
    switch (this.dtype.kind) {
      case "float32":
        return new Float32Array(capacity);
      case "int32":
      case "date":
        return new Int32Array(capacity);
      case "boolean":
        return new Uint8Array(capacity);
      default:
        return new Float64Array(capacity);
    }
  }
}
