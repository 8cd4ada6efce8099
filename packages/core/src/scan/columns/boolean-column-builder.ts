import { parseBoolean } from "../../schema/parse/parse-boolean.js";
import type { ColumnBuilder, RawValue } from "./column-builder.js";
import type { ColumnData } from "./column-data.js";
import { grow } from "./growable.js";
import { toText } from "./to-text.js";

/** Boolean columns, stored as 0/1 bytes. */
export class BooleanColumnBuilder implements ColumnBuilder {
  readonly dtype = { kind: "boolean" } as const;
  length = 0;
  private values: Uint8Array;
  private validity: Uint8Array;
  private nullCount = 0;
  private readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.values = new Uint8Array(capacity);
    this.validity = new Uint8Array(capacity);
  }

  append(raw: RawValue): boolean {
    const value = parseBoolean(toText(raw));
    if (value === undefined) return false;
    if (this.length === this.values.length) this.enlarge();
    this.values[this.length] = value ? 1 : 0;
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
    this.values = new Uint8Array(this.capacity);
    this.validity = new Uint8Array(this.capacity);
    this.length = 0;
    this.nullCount = 0;
    return data;
  }

  private enlarge(): void {
    this.values = grow(this.values);
    this.validity = grow(this.validity);
  }
}
