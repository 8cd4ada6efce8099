import type { ScalarDtype } from "../../schema/dtype.js";
import { parseDatetime } from "../../schema/parse/parse-datetime.js";
import { parseInt64 } from "../../schema/parse/parse-integer.js";
import type { ColumnBuilder, RawValue } from "./column-builder.js";
import type { ColumnData } from "./column-data.js";
import { grow } from "./growable.js";
import { toText } from "./to-text.js";

/**
 * Int64 and Datetime columns. Values live in a Float64Array while every one is a safe integer (nearly
 * always: epoch microseconds stay safe until the year 2255), and move to a BigInt64Array at the first value
 * beyond 2^53, so no digit is ever lost.
 */
export class Int64ColumnBuilder implements ColumnBuilder {
  readonly dtype: ScalarDtype;
  length = 0;
  private numbers: Float64Array | null;
  private bigints: BigInt64Array | null = null;
  private validity: Uint8Array;
  private nullCount = 0;
  private readonly parse: (text: string) => number | bigint | undefined;
  private readonly capacity: number;

  constructor(dtype: ScalarDtype, parse: (text: string) => number | bigint | undefined, capacity: number) {
    this.dtype = dtype;
    this.parse = parse;
    this.capacity = capacity;
    this.numbers = new Float64Array(capacity);
    this.validity = new Uint8Array(capacity);
  }

  append(raw: RawValue): boolean {
    const value = this.parse(toText(raw));
    if (value === undefined) return false;
    this.appendInteger(value);
    return true;
  }

  /** Appends an integer the caller already has (stream timestamps and sequences, ranks, positions). */
  appendInteger(value: number | bigint): void {
    if (this.length === this.validity.length) this.enlarge();
    if (this.numbers !== null) {
      if (typeof value === "number") this.numbers[this.length] = value;
      else {
        this.switchToBigInts();
        this.bigints![this.length] = value;
      }
    } else {
      this.bigints![this.length] = typeof value === "bigint" ? value : BigInt(value);
    }
    this.validity[this.length++] = 1;
  }

  appendNull(): void {
    if (this.length === this.validity.length) this.enlarge();
    if (this.numbers !== null) this.numbers[this.length] = 0;
    else this.bigints![this.length] = 0n;
    this.validity[this.length++] = 0;
    this.nullCount++;
  }

  finish(): ColumnData {
    const values =
      this.numbers !== null ? this.numbers.subarray(0, this.length) : this.bigints!.subarray(0, this.length);
    const data: ColumnData = {
      dtype: this.dtype,
      length: this.length,
      values,
      validity: this.nullCount > 0 ? this.validity.subarray(0, this.length) : null,
      nullCount: this.nullCount,
    };
    this.numbers = new Float64Array(this.capacity);
    this.bigints = null;
    this.validity = new Uint8Array(this.capacity);
    this.length = 0;
    this.nullCount = 0;
    return data;
  }

  private switchToBigInts(): void {
    const numbers = this.numbers!;
    const bigints = new BigInt64Array(this.validity.length);
    for (let i = 0; i < this.length; i++) bigints[i] = BigInt(numbers[i]!);
    this.bigints = bigints;
    this.numbers = null;
  }

  private enlarge(): void {
    this.validity = grow(this.validity);
    if (this.numbers !== null) this.numbers = grow(this.numbers);
    else this.bigints = grow(this.bigints!);
  }
}

/** An Int64 column. */
export function int64Builder(capacity: number): Int64ColumnBuilder {
  return new Int64ColumnBuilder({ kind: "int64" }, parseInt64, capacity);
}

/** A Datetime column whose values are epoch counts of `unit`; wall times without an offset are in `timeZone`. */
export function datetimeBuilder(
  dtype: Extract<ScalarDtype, { kind: "datetime" }>,
  capacity: number,
): Int64ColumnBuilder {
  const options = { unit: dtype.unit, timeZone: dtype.timeZone };
  return new Int64ColumnBuilder(dtype, (text) => parseDatetime(text, options), capacity);
}
