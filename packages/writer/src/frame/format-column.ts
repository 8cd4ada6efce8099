import { InvalidArgumentError } from "@polars-redis/core";
import pl, { type Series } from "nodejs-polars";

const INTEGER_TYPES = new Set(["Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64"]);
/** Types whose Polars text form is the one readers parse back: exact integers, shortest floats, "true"/"false",
 * "YYYY-MM-DD", "inf"/"-inf"/"NaN". */
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
 * One column as the text Redis stores, null where the value is null. Read once, converted natively by Polars
 * (exact for Int64, which a JS number is not above 2^53). Datetimes become ISO 8601: wall time without an offset
 * for naive columns, UTC with "Z" for columns with a time zone. Throws an InvalidArgumentError for dtypes that
 * have no single text form (List, Struct, ...).
 */
export function formatColumn(series: Series, option: string): (string | null)[] {
  const variant = series.dtype.variant;
  if (variant === "String" || variant === "Utf8") return series.toArray() as (string | null)[];
  if (CAST_TO_TEXT.has(variant)) return series.cast(pl.Utf8).toArray() as (string | null)[];
  if (variant === "Datetime") return formatDatetime(series);
  if (variant === "Null") return new Array<string | null>(series.length).fill(null);
  throw new InvalidArgumentError(
    option,
    `column ${JSON.stringify(series.name)} has dtype ${String(series.dtype)}, which has no text form here; supported: ${SUPPORTED_VALUE_DTYPES} (cast or encode the column first)`,
  );
}

function formatDatetime(series: Series): (string | null)[] {
  const dtype = series.dtype as unknown as { timeUnit?: string; timeZone?: string | null };
  const digits = FRACTION_DIGITS[dtype.timeUnit ?? "us"] ?? 6;
  const pattern = `%Y-%m-%dT%H:%M:%S%.${digits}f`;
  if (dtype.timeZone) {
    return series.dt.convertTimeZone("UTC").dt.strftime(`${pattern}Z`).toArray() as (string | null)[];
  }
  return series.dt.strftime(pattern).toArray() as (string | null)[];
}
