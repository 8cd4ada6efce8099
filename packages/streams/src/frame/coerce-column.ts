import { SchemaMismatchError } from "@polars-redis/core";
import pl, { type DataType, type Series } from "nodejs-polars";

export type OnCoercionError = "raise" | "null";

export interface CoercedColumn {
  series: Series;
  /** Values that could not be converted and became null (only with onError "null"). */
  nulled: number;
}

const TRUE_WORDS = new Set(["true", "1", "t", "yes", "y", "on"]);
const FALSE_WORDS = new Set(["false", "0", "f", "no", "n", "off"]);
const INTEGER = /^[+-]?\d+$/;

/**
 * Builds one column of the requested dtype from field texts. Missing values and empty strings are null for
 * every dtype but Utf8. A text that does not fit raises a SchemaMismatchError naming where it came from, or
 * becomes null and is counted, as `onError` says. Numeric parsing is done by Polars on the whole column; only
 * the (rare) failures are looked at row by row.
 */
export function coerceColumn(
  name: string,
  raw: readonly (string | null)[],
  dtype: DataType,
  onError: OnCoercionError,
  describeRow: (row: number) => string,
): CoercedColumn {
  const variant = dtype.variant;
  if (variant === "Utf8" || variant === "String")
    return { series: pl.Series(name, raw as (string | null)[], pl.Utf8), nulled: 0 };
  if (variant === "Categorical") {
    return { series: pl.Series(name, raw as (string | null)[], pl.Utf8).cast(pl.Categorical), nulled: 0 };
  }
  const texts = raw.map((value) => (value === null || value === "" ? null : value));
  const fail = (row: number, expected: string): void => {
    if (onError === "raise") {
      throw new SchemaMismatchError({ key: describeRow(row), field: name, rawValue: texts[row]!, expected });
    }
  };
  if (variant === "Bool") {
    let nulled = 0;
    const values = texts.map((text, row) => {
      if (text === null) return null;
      const lower = text.toLowerCase();
      if (TRUE_WORDS.has(lower)) return true;
      if (FALSE_WORDS.has(lower)) return false;
      fail(row, "Boolean");
      nulled++;
      return null;
    });
    return { series: pl.Series(name, values, pl.Bool), nulled };
  }
  if (variant === "Datetime" || variant === "Date") return coerceTemporal(name, texts, dtype, fail);

  // Integers and floats: Polars parses the column; a null where text was given is a failure.
  const parsed = pl.Series(name, texts, pl.Utf8).cast(dtype, false);
  const nulls = parsed.nullCount();
  const given = texts.length - countNulls(texts);
  let nulled = 0;
  if (nulls > texts.length - given) {
    const values = parsed.toArray();
    for (let row = 0; row < texts.length; row++) {
      if (texts[row] !== null && values[row] === null) {
        fail(row, String(variant));
        nulled++;
      }
    }
  }
  return { series: parsed, nulled };
}

/** Datetime and Date from epoch milliseconds (an integer text) or an ISO 8601 text. */
function coerceTemporal(
  name: string,
  texts: readonly (string | null)[],
  dtype: DataType,
  fail: (row: number, expected: string) => void,
): CoercedColumn {
  const millis: (number | null)[] = new Array(texts.length);
  let nulled = 0;
  for (let row = 0; row < texts.length; row++) {
    const text = texts[row]!;
    if (text === null) {
      millis[row] = null;
      continue;
    }
    const value = INTEGER.test(text) ? Number(text) : Date.parse(text);
    if (Number.isFinite(value)) {
      millis[row] = value;
    } else {
      fail(row, dtype.variant === "Date" ? "Date" : "Datetime");
      nulled++;
      millis[row] = null;
    }
  }
  const asMillis = pl.Series(name, millis, pl.Float64).cast(pl.Int64).cast(pl.Datetime("ms"));
  if (dtype.variant === "Date") return { series: asMillis.cast(pl.Date), nulled };
  return { series: asMillis.cast(dtype), nulled };
}

function countNulls(values: readonly (string | null)[]): number {
  let count = 0;
  for (const value of values) if (value === null) count++;
  return count;
}
