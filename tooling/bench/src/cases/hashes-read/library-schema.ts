import pl from "nodejs-polars";
import { HASH_FIELDS, type HashFieldName } from "../../data/hash-dataset.js";

const POLARS_DTYPES = {
  Utf8: pl.Utf8,
  Int64: pl.Int64,
  Float64: pl.Float64,
  Boolean: pl.Bool,
  Datetime: pl.Datetime("ms"),
  Date: pl.Date,
} as const;

/** The schema `readHashes` is given for the benchmark data set (the dtypes the hand-written loop casts to). */
export const HASH_SCHEMA: Record<HashFieldName, pl.DataType> = Object.fromEntries(
  Object.entries(HASH_FIELDS).map(([name, dtype]) => [name, POLARS_DTYPES[dtype]]),
) as Record<HashFieldName, pl.DataType>;
