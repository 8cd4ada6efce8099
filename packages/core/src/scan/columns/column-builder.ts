import type { ScalarDtype } from "../../schema/dtype.js";
import type { ColumnData } from "./column-data.js";

/** A stored Redis value as it arrives: bytes (binary-safe reads) or text. */
export type RawValue = Buffer | string;

/**
 * Accumulates one column of a batch, row by row, into typed storage. `append` returns false when the
 * value cannot be read as the dtype; it then appends nothing, and the caller applies the error policy
 * (raise, or appendNull and count). `finish` hands the rows over and starts an empty column.
 */
export interface ColumnBuilder {
  readonly dtype: ScalarDtype;
  readonly length: number;
  append(raw: RawValue): boolean;
  appendNull(): void;
  finish(): ColumnData;
}
