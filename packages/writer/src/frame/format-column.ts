import { InvalidArgumentError } from "@polars-redis/core";
import pl, { type DataType, type Expr, type Series } from "nodejs-polars";

const INTEGER_TYPES = new Set(["Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64"]);
/**
 * Types whose Polars text form is the one readers parse back: exact integers, shortest floats ("inf", "-inf",
 * "NaN" included), "true"/"false", "YYYY-MM-DD".
 */
const CAST_TO_TEXT = new Set([
  ...INTEGER_TYPES,
  "Float32",
  "Float64",
  "Bool",
  "Date",
  "Time",
  "Decimal",
  "Categorical",
  "Enum",
]);
const FRACTION_DIGITS: Record<string, number> = { ms: 3, us: 6, ns: 9 };

export const SUPPORTED_VALUE_DTYPES =
  "String, Categorical, Int8..Int64, UInt8..UInt64, Float32, Float64, Boolean, Date, Datetime, Time, Decimal, Null";

export function isIntegerDtype(series: Series): boolean {
  return INTEGER_TYPES.has(series.dtype.variant);
}

export function isNumericDtype(series: Series): boolean {
  return INTEGER_TYPES.has(series.dtype.variant) || series.dtype.variant.startsWith("Float");
}

/**
 * The expression turning column `name` (of `dtype`) into the text Redis stores, null where the value is null.
 * Polars does the conversion natively and exactly (Int64 stays exact, which a JS number is not above 2^53).
 * Datetimes become ISO 8601: wall time without an offset for naive columns, UTC with "Z" for columns with a
 * time zone. Throws an InvalidArgumentError for dtypes with no single text form (List, Struct, ...).
 */
export function textExpression(name: string, dtype: DataType, option: string): Expr {
  const variant = dtype.variant;
  const column = pl.col(name);
  if (variant === "String" || variant === "Utf8") return column;
  if (CAST_TO_TEXT.has(variant)) return column.cast(pl.Utf8);
  if (variant === "Null") return column.cast(pl.Utf8);
  if (variant === "Datetime") {
    const { timeUnit, timeZone } = dtype as unknown as { timeUnit?: string; timeZone?: string | null };
    const pattern = `%Y-%m-%dT%H:%M:%S%.${FRACTION_DIGITS[timeUnit ?? "us"] ?? 6}f`;
    if (timeZone) return column.dt.convertTimeZone("UTC").dt.strftime(`${pattern}Z`);
    return column.dt.strftime(pattern);
  }
  throw new InvalidArgumentError(
    option,
    `column ${JSON.stringify(name)} has dtype ${String(dtype)}, which has no text form here; supported: ${SUPPORTED_VALUE_DTYPES} (cast or encode the column first)`,
  );
}

/** One column as the text Redis stores (see textExpression), as JS strings, null where the value is null. */
export function formatColumn(series: Series, option: string): (string | null)[] {
  const variant = series.dtype.variant;
  if (variant === "String" || variant === "Utf8") return series.toArray() as (string | null)[];
  if (variant === "Null") return new Array<string | null>(series.length).fill(null);
  const expression = textExpression(series.name, series.dtype, option);
  return pl.DataFrame([series]).select(expression).getColumn(series.name).toArray() as (string | null)[];
}
