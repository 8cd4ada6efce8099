export { AmbiguousWriteError } from "./errors/ambiguous-write-error.js";
export { WriteAbortedError } from "./errors/write-aborted-error.js";
export { WriteInterruptedError } from "./errors/write-interrupted-error.js";
export type {
  Destination,
  DestinationResult,
  DestinationStatus,
  DestinationWriter,
} from "./multi/destination.js";
export { MultiWriteResult } from "./multi/multi-write-result.js";
export { type WriteToManyOptions, writeToMany } from "./multi/write-to-many.js";
export type { IfExists, WriteOptions, WriteProgress } from "./options/write-options.js";
export { type RetryContext, type RetryHooks, withRetry } from "./retry/with-retry.js";
export { type RedisHashSinkOptions, redisHashSink } from "./sinks/redis-hash-sink.js";
export { type RedisJsonSinkOptions, redisJsonSink } from "./sinks/redis-json-sink.js";
export type { RedisSinkOptions } from "./sinks/redis-sink-options.js";
export { type RedisStreamSinkOptions, redisStreamSink } from "./sinks/redis-stream-sink.js";
export { type RedisStringSinkOptions, redisStringSink } from "./sinks/redis-string-sink.js";
export { type WriteHashesOptions, writeHashes } from "./writers/write-hashes.js";
export { type WriteJsonOptions, writeJson } from "./writers/write-json.js";
export { type WriteListsOptions, writeLists } from "./writers/write-lists.js";
export { type WriteSetsOptions, writeSets } from "./writers/write-sets.js";
export { type WriteStreamsOptions, writeStreams } from "./writers/write-streams.js";
export { type WriteStringsOptions, writeStrings } from "./writers/write-strings.js";
export {
  type DuplicatePolicy,
  type WriteTimeseriesOptions,
  writeTimeseries,
} from "./writers/write-timeseries.js";
export { type WriteZsetsOptions, writeZsets } from "./writers/write-zsets.js";
