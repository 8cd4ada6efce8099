import { InvalidArgumentError } from "@polars-redis/core";
import {
  checkConnection,
  checkDataFrame,
  checkOptions,
  optionNames,
  type ResolvedRetryPolicy,
  resolveRetryPolicy,
} from "@polars-redis/core/internal";
import type { WriteHashesOptions } from "../writers/write-hashes.js";
import type { WriteJsonOptions } from "../writers/write-json.js";
import type { WriteListsOptions } from "../writers/write-lists.js";
import type { WriteSetsOptions } from "../writers/write-sets.js";
import type { WriteStreamsOptions } from "../writers/write-streams.js";
import type { WriteStringsOptions } from "../writers/write-strings.js";
import type { WriteTimeseriesOptions } from "../writers/write-timeseries.js";
import type { WriteZsetsOptions } from "../writers/write-zsets.js";
import type { IfExists, WriteOptions, WriteProgress } from "./write-options.js";

/** The options every writer takes (WriteOptions). */
export const WRITE_OPTION_NAMES: readonly string[] = optionNames<WriteOptions>()([
  "keyColumn",
  "keyPrefix",
  "keyTemplate",
  "ttl",
  "ttlColumn",
  "ifExists",
  "batchSize",
  "parallel",
  "retry",
  "signal",
  "onProgress",
  "keepWrittenKeys",
]);

/** Each writer's own options on top of WRITE_OPTION_NAMES. */
export const WRITER_OPTION_NAMES = {
  writeHashes: optionNames<Omit<WriteHashesOptions, keyof WriteOptions>>()([]),
  writeJson: optionNames<Omit<WriteJsonOptions, keyof WriteOptions>>()([]),
  writeLists: optionNames<Omit<WriteListsOptions, keyof WriteOptions>>()(["elementColumn", "indexColumn"]),
  writeSets: optionNames<Omit<WriteSetsOptions, keyof WriteOptions>>()(["memberColumn"]),
  writeStreams: optionNames<Omit<WriteStreamsOptions, keyof WriteOptions>>()([
    "stream",
    "idColumn",
    "ids",
    "maxLen",
    "minId",
    "exactTrim",
    "rowIds",
    "dedupeWindowMs",
  ]),
  writeStrings: optionNames<Omit<WriteStringsOptions, keyof WriteOptions>>()(["valueColumn"]),
  writeTimeseries: optionNames<Omit<WriteTimeseriesOptions, keyof WriteOptions>>()([
    "timestampColumn",
    "valueColumn",
    "labels",
    "labelColumns",
    "retentionMs",
    "duplicatePolicy",
  ]),
  writeZsets: optionNames<Omit<WriteZsetsOptions, keyof WriteOptions>>()(["memberColumn", "scoreColumn"]),
};

export type WriterName = keyof typeof WRITER_OPTION_NAMES;

/** Usage lines for error messages: the argument order is (connection, frame, options), unlike Python's. */
export function writerUsage(writer: string): string {
  return `await ${writer}(connection, frame, { keyColumn: "_key" })`;
}

/**
 * Checks a writer's arguments before anything else: a RedisConnection first, a DataFrame second (hints for
 * swapped arguments, plain objects, un-awaited promises), and no unknown option keys (with a "did you mean").
 */
export function checkWriteCall(
  writer: WriterName,
  connection: unknown,
  frame: unknown,
  options: unknown,
): void {
  const where = { function: writer, usage: writerUsage(writer) };
  checkConnection(connection, where);
  checkDataFrame(frame, where);
  checkOptions(options as object | undefined, [...WRITE_OPTION_NAMES, ...WRITER_OPTION_NAMES[writer]], {
    function: writer,
  });
}

const DEFAULT_BATCH_SIZE = 1000;
const DEFAULT_PARALLEL = 2;
const MODES: readonly IfExists[] = ["replace", "append", "fail"];

export interface ResolvedWriteOptions {
  ifExists: IfExists;
  batchSize: number;
  parallel: number;
  retry: ResolvedRetryPolicy;
  keepWrittenKeys: boolean;
  signal: AbortSignal | undefined;
  onProgress: ((progress: WriteProgress) => void) | undefined;
}

/** Validates the options every writer shares; bad values fail before anything is written. */
export function resolveWriteOptions(
  options: WriteOptions,
  defaults: { ifExists: IfExists; modes?: readonly IfExists[] },
): ResolvedWriteOptions {
  if (options === null || typeof options !== "object") {
    throw new InvalidArgumentError("options", "expected an options object");
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new InvalidArgumentError("signal", "expected an AbortSignal");
  }
  if (options.keepWrittenKeys !== undefined && typeof options.keepWrittenKeys !== "boolean") {
    throw new InvalidArgumentError("keepWrittenKeys", "expected true or false");
  }
  const ifExists = options.ifExists ?? defaults.ifExists;
  const modes = defaults.modes ?? MODES;
  if (!modes.includes(ifExists)) {
    throw new InvalidArgumentError(
      "ifExists",
      `must be ${modes.map((mode) => JSON.stringify(mode)).join(" or ")} here, got ${JSON.stringify(ifExists)}`,
    );
  }
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InvalidArgumentError("batchSize", `must be an integer >= 1, got ${String(batchSize)}`);
  }
  const parallel = options.parallel ?? DEFAULT_PARALLEL;
  if (!Number.isInteger(parallel) || parallel < 1) {
    throw new InvalidArgumentError("parallel", `must be an integer >= 1, got ${String(parallel)}`);
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== "function") {
    throw new InvalidArgumentError("onProgress", "expected a function");
  }
  return {
    ifExists,
    batchSize,
    parallel,
    retry: resolveRetryPolicy(options.retry),
    keepWrittenKeys: options.keepWrittenKeys ?? false,
    signal: options.signal,
    onProgress: options.onProgress,
  };
}

/**
 * Checks a Redis sink factory's arguments (`redisHashSink(connection, options)`): the connection, and the
 * options of its writer (without `signal`: each batch brings its own) plus `name` and `closeConnection`.
 */
export function checkSinkCall(
  sink: string,
  writer: WriterName,
  connection: unknown,
  options: unknown,
  extra: readonly string[] = [],
): void {
  const where = { function: sink, usage: `${sink}(connection, { keyColumn: "_key" })` };
  checkConnection(connection, where);
  const known = [...WRITE_OPTION_NAMES, ...WRITER_OPTION_NAMES[writer], "name", "closeConnection", ...extra];
  checkOptions(
    options as object | undefined,
    known.filter((name) => name !== "signal"),
    { function: sink },
  );
}
