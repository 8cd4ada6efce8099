import { InvalidArgumentError } from "../../errors/invalid-argument-error.js";

/** RedisTimeSeries aggregators (TS.RANGE ... AGGREGATION). */
export const TIMESERIES_AGGREGATIONS = [
  "avg",
  "sum",
  "min",
  "max",
  "range",
  "count",
  "first",
  "last",
  "std.p",
  "std.s",
  "var.p",
  "var.s",
  "twa",
] as const;
export type TimeseriesAggregation = (typeof TIMESERIES_AGGREGATIONS)[number];

/** Start or end of a range: epoch milliseconds, a Date, or "-" / "+" for the series' first / last sample. */
export type RangeBound = number | Date | "-" | "+";

/** What every TS.RANGE of a scan asks for, validated. */
export interface RangeQuery {
  /** Epoch ms, or "-". */
  readonly from: number | "-";
  /** Epoch ms, or "+". */
  readonly to: number | "+";
  /** At most this many samples (or buckets) per series. */
  readonly countPerSeries: number | undefined;
  readonly aggregation: { readonly type: TimeseriesAggregation; readonly bucketMs: number } | undefined;
}

export function resolveRangeQuery(options: {
  start?: unknown;
  end?: unknown;
  countPerSeries?: unknown;
  aggregation?: unknown;
  bucketMs?: unknown;
}): RangeQuery {
  const from = bound(options.start, "start", "-");
  const to = bound(options.end, "end", "+");
  if (typeof from === "number" && typeof to === "number" && from > to) {
    throw new InvalidArgumentError("start", `start (${from}) is after end (${to})`);
  }
  let countPerSeries: number | undefined;
  if (options.countPerSeries !== undefined) {
    countPerSeries = positiveInteger(options.countPerSeries, "countPerSeries");
  }
  const { aggregation, bucketMs } = options;
  if ((aggregation === undefined) !== (bucketMs === undefined)) {
    throw new InvalidArgumentError(
      aggregation === undefined ? "aggregation" : "bucketMs",
      'aggregation and bucketMs go together: give both (e.g. aggregation: "avg", bucketMs: 60_000) or neither',
    );
  }
  let resolved: RangeQuery["aggregation"];
  if (aggregation !== undefined) {
    const type = typeof aggregation === "string" ? aggregation.toLowerCase() : aggregation;
    if (!TIMESERIES_AGGREGATIONS.includes(type as TimeseriesAggregation)) {
      throw new InvalidArgumentError(
        "aggregation",
        `unknown aggregator ${JSON.stringify(aggregation)}; expected one of ${TIMESERIES_AGGREGATIONS.join(", ")}`,
      );
    }
    resolved = { type: type as TimeseriesAggregation, bucketMs: positiveInteger(bucketMs, "bucketMs") };
  }
  return { from, to, countPerSeries, aggregation: resolved };
}

function bound<T extends "-" | "+">(value: unknown, argument: string, open: T): number | T {
  if (value === undefined || value === open) return open;
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) throw new InvalidArgumentError(argument, "is an invalid Date");
    return ms;
  }
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
  throw new InvalidArgumentError(
    argument,
    `expected epoch milliseconds (an integer >= 0), a Date or ${JSON.stringify(open)}, got ${JSON.stringify(value)}`,
  );
}

function positiveInteger(value: unknown, argument: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError(argument, `expected a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}
