import type { DataType } from "nodejs-polars";

const INTEGER_VARIANTS: ReadonlySet<string> = new Set([
  "Int8",
  "Int16",
  "Int32",
  "Int64",
  "UInt8",
  "UInt16",
  "UInt32",
  "UInt64",
]);
const FLOAT_VARIANTS: ReadonlySet<string> = new Set(["Float32", "Float64"]);

/** Int8..Int64 or UInt8..UInt64. */
export function isIntegerDtype(dtype: DataType): boolean {
  return INTEGER_VARIANTS.has(dtype.variant);
}

/** An integer dtype, Float32 or Float64 (not Decimal). */
export function isNumericDtype(dtype: DataType): boolean {
  return INTEGER_VARIANTS.has(dtype.variant) || FLOAT_VARIANTS.has(dtype.variant);
}
