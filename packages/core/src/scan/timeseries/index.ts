export { readTimeseries, scanTimeseries, type TimeseriesScanOptions } from "./scan-timeseries.js";
export { type RangeBound, TIMESERIES_AGGREGATIONS, type TimeseriesAggregation } from "./timeseries-range.js";
