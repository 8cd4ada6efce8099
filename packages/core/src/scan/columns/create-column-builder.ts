import type { ScalarDtype } from "../../schema/dtype.js";
import { parseBoolean } from "../../schema/parse/parse-boolean.js";
import { parseDate } from "../../schema/parse/parse-date.js";
import { parseFloat64 } from "../../schema/parse/parse-float.js";
import { parseInt32 } from "../../schema/parse/parse-integer.js";
import type { ColumnBuilder } from "./column-builder.js";
import { FixedWidthColumnBuilder } from "./fixed-width-column-builder.js";
import { datetimeBuilder, int64Builder } from "./int64-column-builder.js";
import { Utf8ColumnBuilder } from "./utf8-column-builder.js";

/** A builder for a column of `dtype`, sized for about `capacity` rows (it grows when needed). */
export function createColumnBuilder(dtype: ScalarDtype, capacity: number): ColumnBuilder {
  const size = Math.max(16, capacity);
  switch (dtype.kind) {
    case "utf8":
    case "categorical":
      return new Utf8ColumnBuilder(dtype);
    case "int64":
      return int64Builder(size);
    case "int32":
      return new FixedWidthColumnBuilder(dtype, parseInt32, size);
    case "float64":
    case "float32":
      return new FixedWidthColumnBuilder(dtype, parseFloat64, size);
    case "boolean":
      return new FixedWidthColumnBuilder(dtype, parseBooleanBit, size);
    case "date":
      return new FixedWidthColumnBuilder(dtype, parseDate, size);
    case "datetime":
      return datetimeBuilder(dtype, size);
  }
}

/** A boolean as the 0/1 byte a Boolean column stores. */
function parseBooleanBit(text: string): number | undefined {
  const value = parseBoolean(text);
  return value === undefined ? undefined : Number(value);
}
