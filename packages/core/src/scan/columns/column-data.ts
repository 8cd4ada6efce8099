import type { Series } from "nodejs-polars";
import type { ScanDtype } from "../../schema/dtype.js";

/**
 * One finished column of a batch, as plain typed storage: what a ColumnBuilder produces and what the frame
 * assembler turns into a nodejs-polars Series. Keeping this step separate lets a faster assembler (for
 * example one that writes Arrow IPC directly) replace the Series calls without touching any reader.
 *
 * Storage by dtype:
 * - utf8, categorical: `(string | null)[]`, nulls inline;
 * - int64, datetime: `Float64Array` while every value is a safe integer, else `BigInt64Array`;
 * - int32, date (epoch days): `Int32Array`;
 * - float64: `Float64Array`; float32: `Float32Array`;
 * - boolean: `Uint8Array` of 0/1;
 * - list, struct (JSON): no storage; the reader builds the Series itself (nodejs-polars cannot build nested
 *   Series from JS values reliably) and passes it as `series`.
 */
export interface ColumnData {
  readonly dtype: ScanDtype;
  readonly length: number;
  readonly values: Float64Array | Float32Array | Int32Array | BigInt64Array | Uint8Array | (string | null)[];
  /** 1 where a value is present, 0 where it is null; `null` when the column has no nulls. */
  readonly validity: Uint8Array | null;
  readonly nullCount: number;
  /** A Series the reader already built (list and struct columns); `values` is then unused. */
  readonly series?: Series;
}
