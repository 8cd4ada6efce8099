import pl, { type DataType, type Series } from "nodejs-polars";
import { toPolarsDtype } from "../../schema/dtype.js";
import type { ColumnData } from "./column-data.js";

/**
 * Turns one finished column into a nodejs-polars Series with as few native calls as possible (each
 * `pl.Series` call costs about 0.5 ms whatever its length). Typed arrays go in as they are when the column
 * has no nulls; with nulls, a JS array with nulls inline is the cheapest correct route, except for Int64
 * values beyond 2^53, which are set to null after the fact so no digit is lost.
 */
export function columnToSeries(name: string, column: ColumnData): Series {
  if (column.series !== undefined) return column.series.alias(name);
  const { dtype } = column;
  switch (dtype.kind) {
    case "utf8":
      return pl.Series(name, column.values as (string | null)[], pl.Utf8);
    case "categorical":
      return pl.Series(name, column.values as (string | null)[], pl.Utf8).cast(pl.Categorical);
    case "float64":
    case "float32":
    case "int32":
      return numericSeries(name, column, toPolarsDtype(dtype));
    case "date":
      return numericSeries(name, column, pl.Int32).cast(pl.Date);
    case "boolean":
      return booleanSeries(name, column);
    case "int64":
      return int64Series(name, column);
    case "datetime":
      return int64Series(name, column).cast(toPolarsDtype(dtype));
    case "list":
    case "struct":
      throw new TypeError(`a ${dtype.kind} column must come with a ready-made series`);
  }
}

function numericSeries(name: string, column: ColumnData, dtype: DataType): Series {
  if (column.validity === null)
    return pl.Series(name, column.values as Float64Array | Float32Array | Int32Array);
  return pl.Series(name, withNulls(column), dtype);
}

function booleanSeries(name: string, column: ColumnData): Series {
  const bytes = column.values as Uint8Array;
  const values: (boolean | null)[] = new Array(column.length);
  const validity = column.validity;
  for (let i = 0; i < column.length; i++)
    values[i] = validity !== null && validity[i] === 0 ? null : bytes[i] === 1;
  return pl.Series(name, values, pl.Bool);
}

function int64Series(name: string, column: ColumnData): Series {
  const values = column.values;
  if (values instanceof Float64Array) {
    if (column.validity === null) return pl.Series(name, toBigInt64Array(values) as unknown as number[]);
    // Safe integers with nulls: a number array with an explicit Int64 dtype is exact.
    return pl.Series(name, withNulls(column), pl.Int64);
  }
  const series = pl.Series(name, values as unknown as number[]);
  if (column.validity !== null) series.scatter(nullIndexes(column.validity), null as never);
  return series;
}

function toBigInt64Array(values: Float64Array): BigInt64Array {
  const out = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = BigInt(values[i]!);
  return out;
}

function withNulls(column: ColumnData): (number | null)[] {
  const values = column.values as Float64Array | Float32Array | Int32Array;
  const validity = column.validity!;
  const out: (number | null)[] = new Array(column.length);
  for (let i = 0; i < column.length; i++) out[i] = validity[i] === 0 ? null : values[i]!;
  return out;
}

function nullIndexes(validity: Uint8Array): number[] {
  const indexes: number[] = [];
  for (let i = 0; i < validity.length; i++) if (validity[i] === 0) indexes.push(i);
  return indexes;
}
