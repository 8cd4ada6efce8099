import type { RedisConnection } from "@polars-redis/core";
import { checkConnection, checkOptions, optionNames } from "@polars-redis/core/internal";
import type { AggregateOptions } from "../aggregate/aggregate.js";
import type { IndexFromFrameOptions } from "../index/index-from-frame.js";
import type { IndexDefinition } from "../index/manage-index.js";
import type { SearchOptions } from "../search/search-hashes.js";
import type { JsonSearchOptions } from "../search/search-json.js";
import type { SmartScanOptions } from "../smart/smart-scan.js";

/**
 * The checks at the top of every connection-taking function: the connection (core's checkConnection: null, a
 * URL, a frame passed first...) and, when `names` is given, the options object (unknown keys refused with a
 * "did you mean" hint), so a wrong call fails with an InvalidArgumentError before anything is sent.
 */
export function checkCall(
  fn: string,
  conn: unknown,
  options?: unknown,
  names?: readonly string[],
): asserts conn is RedisConnection {
  checkConnection(conn, { function: fn });
  if (names !== undefined) checkOptions(options as object | undefined, names, { function: fn });
}

/**
 * The option names of each public function of this package, for core's checkOptions: unknown keys are refused
 * (with a "did you mean" hint) before anything is sent. The compiler keeps each list equal to its interface: an
 * option added to an interface but not here is a compile error, not a run-time refusal.
 */
export const SEARCH_OPTION_NAMES = optionNames<SearchOptions>()([
  "index",
  "query",
  "params",
  "schema",
  "columns",
  "sortBy",
  "limit",
  "offset",
  "batchSize",
  "includeKey",
  "keyColumn",
  "includeScore",
  "scoreColumn",
  "onError",
  "verbatim",
  "noStopwords",
  "language",
  "timeoutMs",
  "signal",
]);

export const COUNT_SEARCH_OPTION_NAMES = optionNames<
  Pick<SearchOptions, "index" | "query" | "params" | "verbatim" | "language">
>()(["index", "query", "params", "verbatim", "language"]);

export const JSON_SEARCH_OPTION_NAMES: readonly string[] = [
  ...SEARCH_OPTION_NAMES.filter((name) => name !== "schema" && name !== "columns"),
  ...optionNames<Omit<JsonSearchOptions, keyof Omit<SearchOptions, "schema" | "columns">>>()([
    "schema",
    "paths",
    "columns",
  ]),
];

export const AGGREGATE_OPTION_NAMES = optionNames<AggregateOptions>()([
  "index",
  "query",
  "params",
  "load",
  "apply",
  "groupBy",
  "reduce",
  "filter",
  "sortBy",
  "limit",
  "offset",
  "steps",
  "schema",
  "batchSize",
  "onError",
  "timeoutMs",
  "signal",
]);

export const SMART_SCAN_OPTION_NAMES = optionNames<SmartScanOptions>()([
  "pattern",
  "filter",
  "schema",
  "columns",
  "index",
  "noIndex",
  "includeKey",
  "keyColumn",
  "limit",
  "batchSize",
  "onError",
  "signal",
]);

/** `skipped` is indexFromFrame's report of the columns it left out: its result is a valid definition as is. */
export const INDEX_DEFINITION_KEYS: readonly string[] = [
  ...optionNames<IndexDefinition>()([
    "name",
    "on",
    "prefixes",
    "fields",
    "filter",
    "language",
    "score",
    "stopwords",
    "skipInitialScan",
    "noOffsets",
    "noHighlight",
    "noFreqs",
  ]),
  "skipped",
];

export const INDEX_FROM_FRAME_OPTION_NAMES = optionNames<IndexFromFrameOptions>()([
  "name",
  "prefixes",
  "textFields",
  "sortable",
  "exclude",
]);
