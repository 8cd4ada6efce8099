import { InvalidArgumentError } from "@polars-redis/core";
import { isNumericDtype } from "@polars-redis/core/internal";
import pl, { type Series } from "nodejs-polars";
import { formatColumn } from "./format-column.js";

const NESTED = new Set(["List", "FixedSizeList", "Array", "Struct"]);

/**
 * One column as JSON member text (`"name":value`) per row, undefined where the value is null (the member is
 * left out). Integers are exact JSON numbers (Polars text, so Int64 above 2^53 survives); NaN and ±inf are
 * refused (JSON has no such numbers); dates and datetimes are ISO strings as in hashes; lists and structs
 * become arrays and objects.
 */
export function jsonMembers(series: Series, option: string): (string | undefined)[] {
  const variant = series.dtype.variant;
  const name = `${JSON.stringify(series.name)}:`;
  if (variant === "Null") return new Array<string | undefined>(series.length);
  if (variant === "Bool") {
    return (series.toArray() as (boolean | null)[]).map((value) =>
      value == null ? undefined : name + String(value),
    );
  }
  if (isNumericDtype(series.dtype) || variant === "Decimal") {
    const texts = series.cast(pl.Utf8).toArray() as (string | null)[];
    return texts.map((text, row) => {
      if (text == null) return undefined;
      if (!Number.isFinite(Number(text))) {
        throw new InvalidArgumentError(
          option,
          `row ${row} of ${JSON.stringify(series.name)} is ${text}, which JSON cannot hold (use null, or a string column)`,
        );
      }
      return name + text;
    });
  }
  if (NESTED.has(variant)) {
    return (series.toArray() as unknown[]).map((value) =>
      value == null ? undefined : name + JSON.stringify(value, nestedValue),
    );
  }
  return formatColumn(series, option).map((text) => (text == null ? undefined : name + JSON.stringify(text)));
}

/** Nested values come out of Polars as JS values: bigints (UInt64) as exact strings, non-finite numbers as null. */
function nestedValue(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number" && !Number.isFinite(value)) return null;
  return value;
}
