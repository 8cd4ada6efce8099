// @polars-redis/search: RediSearch indexes, a Polars-like query builder, search and aggregate into typed
// DataFrames, and a smart scan that pushes filters into an index when one covers the pattern.
export {
  type AggregateOptions,
  type AggregateStep,
  aggregate,
  aggregateArgs,
  type Reducer,
  type ReducerName,
  scanAggregate,
} from "./aggregate/aggregate.js";
export {
  field,
  type GeoField,
  type IndexField,
  type IndexFieldType,
  type NumericField,
  type TagField,
  type TextField,
  type VectorField,
} from "./index/fields.js";
export { type IndexFromFrameOptions, indexFromFrame } from "./index/index-from-frame.js";
export {
  type IndexInfo,
  type IndexInfoField,
  indexExists,
  indexInfo,
  parseIndexInfo,
} from "./index/index-info.js";
export {
  createIndex,
  createIndexArgs,
  defineIndex,
  describeDiff,
  diffIndex,
  dropIndex,
  type EnsureIndexAction,
  ensureIndex,
  type FieldChange,
  type IndexDefinition,
  type IndexDiff,
  type RebuildResult,
  rebuildIndex,
  waitForIndex,
} from "./index/manage-index.js";
export { all, and, col, FieldRef, not, or, q, raw, term } from "./query/col.js";
export { explainQuery } from "./query/explain.js";
export {
  escapeQueryText,
  type GeoUnit,
  type ParamValue,
  type PredicateFieldType,
  Query,
  type QueryNode,
  type RenderedQuery,
  type ToPolarsOptions,
} from "./query/query.js";
export {
  countSearch,
  type SearchOptions,
  type SortSpec,
  scanSearch,
  searchHashes,
} from "./search/search-hashes.js";
export { type JsonSearchOptions, searchJson } from "./search/search-json.js";
export {
  explainScan,
  globToRegex,
  type ScanPlan,
  type SmartScanOptions,
  smartRead,
  smartScan,
} from "./smart/smart-scan.js";
