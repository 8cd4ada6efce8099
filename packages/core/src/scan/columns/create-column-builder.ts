import type { ScalarDtype } from "../../schema/dtype.js";
import { parseDate } from "../../schema/parse/parse-date.js";
import { parseFloat64 } from "../../schema/parse/parse-float.js";
import { BooleanColumnBuilder } from "./boolean-column-builder.js";
import type { ColumnBuilder } from "./column-builder.js";
import { datetimeBuilder, int64Builder } from "./int64-column-builder.js";
import { int32Builder, NumericColumnBuilder } from "./numeric-column-builder.js";
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
      return int32Builder(size);
    case "float64":
      return new NumericColumnBuilder(dtype, parseFloat64, size);
    case "float32":
      return new NumericColumnBuilder(dtype, parseFloat64, size);
    case "boolean":
      return new BooleanColumnBuilder(size);
    case "date":
      return new NumericColumnBuilder(dtype, parseDate, size);
    case "datetime":
      return datetimeBuilder(dtype, size);
  }
}
