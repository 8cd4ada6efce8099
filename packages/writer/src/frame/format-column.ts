import { InvalidArgumentError } from "@polars-redis/core";
import {
  isIntegerDtype as isIntegerType,
  isNumericDtype as isNumericType,
} from "@polars-redis/core/internal";
import pl, { type DataFrame, type DataType, type Expr, type Series } from "nodejs-polars";

/**
 * Types whose Polars text form is the one readers parse back: exact integers, shortest floats ("inf", "-inf",
 * "NaN" included; both numeric kinds per core's isNumericDtype), "true"/"false", "YYYY-MM-DD".
 */
const CAST_TO_TEXT = new Set(["Bool", "Date", "Time", "Decimal", "Categorical", "Enum"]);
const FRACTION_DIGITS: Record<string, number> = { ms: 3, us: 6, ns: 9 };

export const SUPPORTED_VALUE_DTYPES =
  "String, Categorical, Int8..Int64, UInt8..UInt64, Float32, Float64, Boolean, Date, Datetime, Time, Decimal, Null";

export function isIntegerDtype(series: Series): boolean {
  return isIntegerType(series.dtype);
}

export function isNumericDtype(series: Series): boolean {
  return isNumericType(series.dtype);
}

/**
 * The expression turning column `name` (of `dtype`) into the text Redis stores, null where the value is null.
 * Polars does the conversion natively and exactly (Int64 stays exact, which a JS number is not above 2^53).
 * Datetimes become ISO 8601: wall time without an offset for naive columns, UTC with "Z" for columns with a
 * time zone. Throws an InvalidArgumentError for dtypes with no single text form (List, Struct, ...).
 */
export function textExpression(name: string, dtype: DataType, option: string): Expr {
  // Building an Expr costs nodejs-polars most of a millisecond: reuse them across writes of the same columns.
  const cacheKey = `${name}\u0000${String(dtype)}`;
  let expression = expressionCache.get(cacheKey);
  if (expression === undefined) {
    expression = buildTextExpression(name, dtype, option);
    if (expressionCache.size >= EXPRESSION_CACHE_SIZE)
      expressionCache.delete(expressionCache.keys().next().value!);
    expressionCache.set(cacheKey, expression);
  }
  return expression;
}

/** Text expressions kept for reuse (they are immutable, about 16 kB each); the oldest goes first. */
const EXPRESSION_CACHE_SIZE = 256;
const expressionCache = new Map<string, Expr>();

function buildTextExpression(name: string, dtype: DataType, option: string): Expr {
  return applyTextConversion(textConversion(name, dtype, option), pl.col(name));
}

/** How a column becomes the text Redis stores: as it is, by a cast, or formatted (datetimes). */
export type TextConversion =
  | { readonly kind: "as-is" }
  | { readonly kind: "cast" }
  | { readonly kind: "strftime"; readonly pattern: string; readonly toUtc: boolean };

/** The conversion for column `name` of `dtype`; an InvalidArgumentError for dtypes with no single text form. */
export function textConversion(name: string, dtype: DataType, option: string): TextConversion {
  const variant = dtype.variant;
  if (variant === "String" || variant === "Utf8") return { kind: "as-is" };
  if (isNumericType(dtype) || CAST_TO_TEXT.has(variant) || variant === "Null") return { kind: "cast" };
  if (variant === "Datetime") {
    const { timeUnit, timeZone } = dtype as unknown as { timeUnit?: string; timeZone?: string | null };
    const pattern = `%Y-%m-%dT%H:%M:%S%.${FRACTION_DIGITS[timeUnit ?? "us"] ?? 6}f`;
    return timeZone
      ? { kind: "strftime", pattern: `${pattern}Z`, toUtc: true }
      : { kind: "strftime", pattern, toUtc: false };
  }
  throw new InvalidArgumentError(
    option,
    `column ${JSON.stringify(name)} has dtype ${String(dtype)}, which has no text form here; supported: ${SUPPORTED_VALUE_DTYPES} (cast or encode the column first)`,
  );
}

/** `columns` (one column, or several selected at once) converted to text. */
export function applyTextConversion(conversion: TextConversion, columns: Expr): Expr {
  switch (conversion.kind) {
    case "as-is":
      return columns;
    case "cast":
      return columns.cast(pl.Utf8);
    case "strftime":
      return (conversion.toUtc ? columns.dt.convertTimeZone("UTC") : columns).dt.strftime(conversion.pattern);
  }
}

/**
 * Every column's dtype, by name. Built from `columns` and `dtypes`, which cost little, unlike `frame.schema`
 * or `getColumn` (nodejs-polars builds large wrapper objects for those, about a millisecond each).
 */
export function columnDtypes(frame: DataFrame): Map<string, DataType> {
  const dtypes = frame.dtypes;
  return new Map(frame.columns.map((name, index) => [name, dtypes[index]!]));
}

/** One column as the text Redis stores (see textExpression), as JS strings, null where the value is null. */
export function formatColumn(series: Series, option: string): (string | null)[] {
  const variant = series.dtype.variant;
  if (variant === "String" || variant === "Utf8") return series.toArray() as (string | null)[];
  if (variant === "Null") return new Array<string | null>(series.length).fill(null);
  const expression = textExpression(series.name, series.dtype, option);
  return pl.DataFrame([series]).select(expression).getColumn(series.name).toArray() as (string | null)[];
}
