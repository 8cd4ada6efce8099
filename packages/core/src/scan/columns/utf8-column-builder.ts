import { isUtf8 } from "node:buffer";
import type { ScalarDtype } from "../../schema/dtype.js";
import type { ColumnBuilder, RawValue } from "./column-builder.js";
import type { ColumnData } from "./column-data.js";

/**
 * Utf8 and Categorical columns. Bytes that are not valid UTF-8 are refused (append returns false) rather
 * than silently replaced with U+FFFD: the error policy then raises or nulls and counts them.
 */
export class Utf8ColumnBuilder implements ColumnBuilder {
  readonly dtype: ScalarDtype;
  private values: (string | null)[] = [];
  private nullCount = 0;

  constructor(dtype: ScalarDtype) {
    this.dtype = dtype;
  }

  get length(): number {
    return this.values.length;
  }

  append(raw: RawValue): boolean {
    if (typeof raw === "string") {
      this.values.push(raw);
      return true;
    }
    if (!isUtf8(raw)) return false;
    this.values.push(raw.toString("utf8"));
    return true;
  }

  appendNull(): void {
    this.values.push(null);
    this.nullCount++;
  }

  finish(): ColumnData {
    const data: ColumnData = {
      dtype: this.dtype,
      length: this.values.length,
      values: this.values,
      validity: null,
      nullCount: this.nullCount,
    };
    this.values = [];
    this.nullCount = 0;
    return data;
  }
}
