import pl from "nodejs-polars";
import type { ColumnData } from "./column-data.js";
import { columnToSeries } from "./column-to-series.js";

/**
 * Joins the same column of consecutive chunks into one, so that several small chunks cost one Series
 * instead of one each. Typed storage is copied once; an Int64 part held as BigInt64Array turns the whole
 * column into one; ready-made Series (list/struct) are concatenated by polars.
 */
export function concatColumns(parts: readonly ColumnData[]): ColumnData {
  const first = parts[0]!;
  if (parts.length === 1) return first;
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  const nullCount = parts.reduce((sum, part) => sum + part.nullCount, 0);
  if (parts.some((part) => part.series !== undefined)) {
    const series = pl.concat(parts.map((part) => columnToSeries("", part)));
    return { dtype: first.dtype, length, values: [], validity: null, nullCount, series };
  }
  if (Array.isArray(first.values)) {
    // Utf8 and Categorical keep their nulls inline.
    const values: (string | null)[] = [];
    for (const part of parts) for (const value of part.values as (string | null)[]) values.push(value);
    return { dtype: first.dtype, length, values, validity: null, nullCount };
  }
  const validity = nullCount > 0 ? concatValidity(parts, length) : null;
  const anyBig = parts.some((part) => part.values instanceof BigInt64Array);
  if (anyBig) {
    const values = new BigInt64Array(length);
    let offset = 0;
    for (const part of parts) {
      if (part.values instanceof BigInt64Array) values.set(part.values, offset);
      else
        for (let i = 0; i < part.length; i++) values[offset + i] = BigInt((part.values as Float64Array)[i]!);
      offset += part.length;
    }
    return { dtype: first.dtype, length, values, validity, nullCount };
  }
  const Storage = first.values.constructor as new (
    length: number,
  ) => Float64Array | Float32Array | Int32Array | Uint8Array;
  const values = new Storage(length);
  let offset = 0;
  for (const part of parts) {
    values.set(part.values as Float64Array, offset);
    offset += part.length;
  }
  return { dtype: first.dtype, length, values, validity, nullCount };
}

function concatValidity(parts: readonly ColumnData[], length: number): Uint8Array {
  const validity = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    if (part.validity === null) validity.fill(1, offset, offset + part.length);
    else validity.set(part.validity, offset);
    offset += part.length;
  }
  return validity;
}
