// First, before anything loads nodejs-polars: a missing native binding fails with the fix (Node.js 20 installs).
import "./runtime/check-polars-binding.js";

export type { CheckpointStore } from "./checkpoint/checkpoint-store.js";
export { type ConnectOptions, connect } from "./connection/connect.js";
export { isCommandError } from "./connection/is-command-error.js";
export type {
  BatchOptions,
  BatchReply,
  Command,
  CommandError,
  RedisArgument,
  RedisConnection,
  RedisKeyType,
  RedisReply,
  ScanKeysOptions,
} from "./connection/redis-connection.js";
export { AbortedError } from "./errors/aborted-error.js";
export type { CommandOutcome } from "./errors/command-outcome.js";
export { ConnectionClosedError } from "./errors/connection-closed-error.js";
export { InvalidArgumentError } from "./errors/invalid-argument-error.js";
export { ModuleNotLoadedError, type RedisModuleName } from "./errors/module-not-loaded-error.js";
export { type ErrorCode, PolarsRedisError } from "./errors/polars-redis-error.js";
export { RedisCommandError } from "./errors/redis-command-error.js";
export { RedisConnectionError } from "./errors/redis-connection-error.js";
export { RedisTimeoutError } from "./errors/redis-timeout-error.js";
export { SchemaMismatchError } from "./errors/schema-mismatch-error.js";
export { StreamGapError } from "./errors/stream-gap-error.js";
export * from "./infer/index.js";
export * from "./keys/index.js";
export {
  DEFAULT_RETRY_POLICY,
  type RetryJitter,
  type RetryOption,
  type RetryPolicy,
} from "./retry/retry-policy.js";
export type { OnError } from "./scan/coercion-policy.js";
export { type HashScanOptions, readHashes, scanHashes } from "./scan/hashes/scan-hashes.js";
export * from "./scan/json/index.js";
export { type ListScanOptions, readLists, scanLists } from "./scan/lists/scan-lists.js";
export type { ScanIterable } from "./scan/scan.js";
export type { ScanOptions } from "./scan/scan-options.js";
export type { ScanProgress, ScanReport } from "./scan/scan-report.js";
export { readSets, type SetScanOptions, scanSets } from "./scan/sets/scan-sets.js";
export { readStreams, type StreamScanOptions, scanStreams } from "./scan/streams/scan-streams.js";
export type { StreamLayoutOptions } from "./scan/streams/stream-column-layout.js";
export { readStrings, type StringScanOptions, scanStrings } from "./scan/strings/scan-strings.js";
export * from "./scan/timeseries/index.js";
export { readZsets, scanZsets, type ZsetScanOptions } from "./scan/zsets/scan-zsets.js";
export type { DtypeInput, DtypeName, ScalarDtype, ScanDtype, TimeUnit } from "./schema/dtype.js";
export type { SchemaField, SchemaInput } from "./schema/schema.js";
export * from "./sink/index.js";
