import type { DataFrame } from "nodejs-polars";
import type { RedisConnection } from "../../connection/redis-connection.js";
import { InvalidArgumentError } from "../../errors/invalid-argument-error.js";
import { optionNames } from "../../validation/option-names.js";
import { readAll } from "../read-all.js";
import { Scan, type ScanIterable } from "../scan.js";
import { nonEmptyString, positiveInteger, resolveScanOptions, type ScanOptions } from "../scan-options.js";
import { type RangeBound, resolveRangeQuery, type TimeseriesAggregation } from "./timeseries-range.js";
import { type TimeseriesColumns, TimeseriesReader } from "./timeseries-reader.js";

/** The options of readTimeseries/scanTimeseries besides the common ScanOptions. */
const TIMESERIES_OPTIONS = optionNames<Omit<TimeseriesScanOptions, keyof ScanOptions>>()([
  "start",
  "end",
  "countPerSeries",
  "aggregation",
  "bucketMs",
  "labels",
  "timestampColumn",
  "valueColumn",
  "columns",
  "pageSize",
]);

export interface TimeseriesScanOptions extends ScanOptions {
  /** First timestamp: epoch milliseconds, a Date, or "-" for the series' first sample. ["-"] */
  start?: RangeBound | undefined;
  /** Last timestamp (inclusive): epoch milliseconds, a Date, or "+" for the series' last sample. ["+"] */
  end?: RangeBound | undefined;
  /** At most this many samples (or buckets, with aggregation) per series, from `start` on. */
  countPerSeries?: number | undefined;
  /** Aggregate each series into buckets of `bucketMs` (give both or neither). */
  aggregation?: TimeseriesAggregation | undefined;
  bucketMs?: number | undefined;
  /** Label names to add as Utf8 columns (read with TS.INFO), e.g. ["sensor", "room"]. */
  labels?: readonly string[] | undefined;
  /** The timestamp column, Datetime("ms"). ["_ts"] */
  timestampColumn?: string | undefined;
  /** The value column, Float64. ["value"] */
  valueColumn?: string | undefined;
  /** Output only these of the timestamp, value and label columns. */
  columns?: readonly string[] | undefined;
  /** Samples per series per TS.RANGE call. [about 100,000 spread over the batch's series, at least 100] */
  pageSize?: number | undefined;
}

/**
 * Scans RedisTimeSeries keys (SCAN ... TYPE TSDB-TYPE) into DataFrames: `[_index] [_key] [_ttl]`, `_ts`
 * (Datetime ms), `value` (Float64) and the requested labels, one row per sample, or per bucket with
 * `aggregation` + `bucketMs`.
 *
 * ```ts
 * const hourly = await readTimeseries(conn, {
 *   pattern: "sensor:*:temp", start: new Date("2024-01-01"), aggregation: "avg", bucketMs: 3_600_000,
 *   labels: ["room"],
 * });
 * ```
 */
export function scanTimeseries(
  connection: RedisConnection,
  options: TimeseriesScanOptions = {},
): ScanIterable {
  return createTimeseriesScan(connection, options);
}

/** Reads every matching series into one DataFrame (`scanTimeseries`, concatenated). */
export async function readTimeseries(
  connection: RedisConnection,
  options: TimeseriesScanOptions = {},
): Promise<DataFrame> {
  return readAll(createTimeseriesScan(connection, options));
}

function createTimeseriesScan(connection: RedisConnection, options: TimeseriesScanOptions): Scan {
  const common = resolveScanOptions(options, {
    call: { function: "readTimeseries/scanTimeseries", connection, options: TIMESERIES_OPTIONS },
  });
  const query = resolveRangeQuery(options);
  const names = resolveColumns(options);
  const pageSize =
    options.pageSize === undefined ? undefined : positiveInteger(options.pageSize, "pageSize", 0);
  return new Scan(connection, new TimeseriesReader(query, names, { pageSize }), common);
}

function resolveColumns(options: TimeseriesScanOptions): TimeseriesColumns {
  const timestampColumn = nonEmptyString(options.timestampColumn, "timestampColumn", "_ts");
  const valueColumn = nonEmptyString(options.valueColumn, "valueColumn", "value");
  const labels = options.labels ?? [];
  if (!Array.isArray(labels) || labels.some((label) => typeof label !== "string" || label === "")) {
    throw new InvalidArgumentError("labels", "expected an array of label names");
  }
  const all = [timestampColumn, valueColumn, ...labels];
  if (new Set(all).size !== all.length) {
    throw new InvalidArgumentError("labels", `column names must be distinct: ${JSON.stringify(all)}`);
  }
  let selected = all;
  if (options.columns !== undefined) {
    const columns = options.columns;
    if (!Array.isArray(columns) || columns.length === 0) {
      throw new InvalidArgumentError("columns", "expected a non-empty array of column names");
    }
    for (const name of columns) {
      if (!all.includes(name)) {
        throw new InvalidArgumentError(
          "columns",
          `${JSON.stringify(name)} is none of ${JSON.stringify(all)}`,
        );
      }
    }
    selected = all.filter((name) => columns.includes(name));
  }
  return { timestampColumn, valueColumn, labels, selected };
}
