import { SchemaMismatchError } from "../errors/schema-mismatch-error.js";
import { dtypeLabel } from "../schema/dtype.js";
import type { ColumnBuilder, RawValue } from "./columns/column-builder.js";
import { toDisplayText } from "./columns/to-text.js";

/** What to do with a stored value that cannot be read as its field's dtype. */
export type OnError = "raise" | "null";

/** Applies the `onError` policy and counts nulled values per field. */
export class CoercionPolicy {
  readonly onError: OnError;
  private readonly coercedToNull: Map<string, number>;

  constructor(onError: OnError, coercedToNull: Map<string, number>) {
    this.onError = onError;
    this.coercedToNull = coercedToNull;
  }

  /**
   * Appends `raw` to the column, or, when it does not convert, throws a SchemaMismatchError ("raise") or
   * appends null and counts it ("null").
   */
  append(builder: ColumnBuilder, raw: RawValue, key: string, field: string): void {
    if (builder.append(raw)) return;
    if (this.onError === "raise") {
      throw new SchemaMismatchError({
        key,
        field,
        rawValue: toDisplayText(raw),
        expected: dtypeLabel(builder.dtype),
      });
    }
    this.coercedToNull.set(field, (this.coercedToNull.get(field) ?? 0) + 1);
    builder.appendNull();
  }

  /**
   * For values a reader converts itself (JSON's List and Struct values): throws a SchemaMismatchError
   * ("raise"), or counts one nulled value under `column` ("null"; the reader then writes null). `field` may
   * point inside the column (`tags[2]`, `address.zip`) to say exactly where the value did not fit.
   */
  reject(rawValue: string, key: string, field: string, expected: string, column = field): void {
    if (this.onError === "raise") throw new SchemaMismatchError({ key, field, rawValue, expected });
    this.coercedToNull.set(column, (this.coercedToNull.get(column) ?? 0) + 1);
  }

  /** Counts values a reader nulled on its own (a fast path that converts in bulk) under `field`. */
  countNulled(field: string, count: number): void {
    if (count > 0) this.coercedToNull.set(field, (this.coercedToNull.get(field) ?? 0) + count);
  }
}
