import { InvalidArgumentError } from "@polars-redis/core";
import pl, { type DataFrame } from "nodejs-polars";
import { isNumericDtype } from "./format-column.js";
import { requireColumn } from "./require-column.js";

/** Milliseconds to expire after, per row; 0 means no expiry. */
export type RowTtls = (row: number) => number;

const NO_TTL: RowTtls = () => 0;

/**
 * Checks `ttl` (seconds) / `ttlColumn` (milliseconds, or a Duration column) and returns each row's expiry in
 * milliseconds. The column is in milliseconds because that is what a scan's `_ttl` column holds (PTTL), so
 * read → write round-trips expiries. Bad values fail before anything is written.
 */
export function resolveTtls(
  frame: DataFrame,
  options: { ttl?: number | undefined; ttlColumn?: string | undefined },
): RowTtls {
  if (options.ttl !== undefined && options.ttlColumn !== undefined) {
    throw new InvalidArgumentError("ttl", "give either ttl or ttlColumn, not both");
  }
  if (options.ttl !== undefined) {
    const ttl = options.ttl;
    if (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl <= 0) {
      throw new InvalidArgumentError("ttl", `must be a positive whole number of seconds, got ${String(ttl)}`);
    }
    return () => ttl * 1000;
  }
  if (options.ttlColumn === undefined) return NO_TTL;
  let series = requireColumn(frame, options.ttlColumn, "ttlColumn");
  if (series.dtype.variant === "Duration") series = series.cast(pl.Duration("ms")).cast(pl.Int64);
  if (!isNumericDtype(series)) {
    throw new InvalidArgumentError(
      "ttlColumn",
      `column ${JSON.stringify(options.ttlColumn)} must hold milliseconds as numbers (or be a Duration), not ${String(series.dtype)}`,
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
        `row ${row} of ${JSON.stringify(options.ttlColumn)} is ${String(raw)}: a TTL must be a positive whole number of milliseconds (null or -1 for none)`,
      );
    }
    ttls[row] = value;
  }
  return (row) => ttls[row]!;
}
