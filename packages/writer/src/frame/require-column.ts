import { InvalidArgumentError } from "@polars-redis/core";
import type { DataFrame, Series } from "nodejs-polars";
import { isNumericDtype } from "./format-column.js";

/** The named column, or an InvalidArgumentError that lists the columns the frame does have. */
export function requireColumn(frame: DataFrame, name: string, option: string): Series {
  assertColumn(frame, name, option);
  return frame.getColumn(name);
}

/** Throws the InvalidArgumentError of requireColumn when the frame has no column `name`. */
export function assertColumn(frame: DataFrame, name: string, option: string): void {
  if (typeof name !== "string" || name === "") {
    throw new InvalidArgumentError(option, `expected a column name, got ${JSON.stringify(name)}`);
  }
  if (!frame.columns.includes(name)) {
    const have = frame.columns.length === 0 ? "no columns" : `columns: ${frame.columns.join(", ")}`;
    throw new InvalidArgumentError(option, `column ${JSON.stringify(name)} not found; the frame has ${have}`);
  }
}

/** The named column, which must hold integers or floats. */
export function requireNumericColumn(frame: DataFrame, name: string, option: string): Series {
  const series = requireColumn(frame, name, option);
  if (!isNumericDtype(series)) {
    throw new InvalidArgumentError(
      option,
      `column ${JSON.stringify(name)} must be numeric, not ${String(series.dtype)}`,
    );
  }
  return series;
}
