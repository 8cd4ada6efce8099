import type { ScalarDtype } from "../../schema/dtype.js";
import { parseFloat64 } from "../../schema/parse/parse-float.js";
import { parseInt32 } from "../../schema/parse/parse-integer.js";
import type { ColumnBuilder, RawValue } from "./column-builder.js";
import type { ColumnData } from "./column-data.js";
import { grow } from "./growable.js";
import { toText } from "./to-text.js";

type Storage = Float64Array | Float32Array | Int32Array;

/**
 * Float64, Float32, Int32 and Date (epoch days) columns: fixed-width numbers that fit a JS number exactly.
 * The parse function turns the text into the stored number, or undefined when it is not one.
 */
export class NumericColumnBuilder implements ColumnBuilder {
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
    this.appendNumber(value);
    return true;
  }

  /** Appends a number the caller already has (positions, ranks, scores). */
  appendNumber(value: number): void {
    if (this.length === this.values.length) this.enlarge();
    this.values[this.length] = value;
    this.validity[this.length++] = 1;
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
      default:
        return new Float64Array(capacity);
    }
  }
}

/** A Float64 column. */
export function float64Builder(capacity: number): NumericColumnBuilder {
  return new NumericColumnBuilder({ kind: "float64" }, parseFloat64, capacity);
}

/** An Int32 column. */
export function int32Builder(capacity: number): NumericColumnBuilder {
  return new NumericColumnBuilder({ kind: "int32" }, parseInt32, capacity);
}
