import { InvalidArgumentError } from "@polars-redis/core";
import type { DataFrame } from "nodejs-polars";
import { isNumericDtype } from "./format-column.js";
import { requireColumn } from "./require-column.js";

/** Seconds to expire after, per row; 0 means no expiry. */
export type RowTtls = (row: number) => number;

const NO_TTL: RowTtls = () => 0;

/** Checks `ttl` / `ttlColumn` and returns each row's expiry. Bad values fail before anything is written. */
export function resolveTtls(frame: DataFrame, options: { ttl?: number; ttlColumn?: string }): RowTtls {
  if (options.ttl !== undefined && options.ttlColumn !== undefined) {
    throw new InvalidArgumentError("ttl", "give either ttl or ttlColumn, not both");
  }
  if (options.ttl !== undefined) {
    const ttl = options.ttl;
    if (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl <= 0) {
      throw new InvalidArgumentError("ttl", `must be a positive whole number of seconds, got ${String(ttl)}`);
    }
    return () => ttl;
  }
  if (options.ttlColumn === undefined) return NO_TTL;
  const series = requireColumn(frame, options.ttlColumn, "ttlColumn");
  if (!isNumericDtype(series)) {
    throw new InvalidArgumentError(
      "ttlColumn",
      `column ${JSON.stringify(options.ttlColumn)} must hold seconds as numbers, not ${String(series.dtype)}`,
    );
  }
  const values = series.toArray() as (number | bigint | null)[];
  const ttls = new Float64Array(values.length);
  for (let row = 0; row < values.length; row++) {
    const raw = values[row];
    if (raw == null) continue;
    const value = Number(raw);
    if (value === -1) continue;
    if (!Number.isInteger(value) || value <= 0) {
      throw new InvalidArgumentError(
        "ttlColumn",
        `row ${row} of ${JSON.stringify(options.ttlColumn)} is ${String(raw)}: a TTL must be a positive whole number of seconds (null or -1 for none)`,
      );
    }
    ttls[row] = value;
  }
  return (row) => ttls[row]!;
}
