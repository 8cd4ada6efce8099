import type { RedisConnection, Sink } from "@polars-redis/core";
import { type WriteHashesOptions, writeHashes } from "../writers/write-hashes.js";
import type { RedisSinkOptions } from "./redis-sink-options.js";
import { writerSink } from "./writer-sink.js";

export interface RedisHashSinkOptions extends Omit<WriteHashesOptions, "signal">, RedisSinkOptions {}

/**
 * A Sink writing one hash per row (see writeHashes). Replaying a batch is harmless: "replace" and "append"
 * set the same fields to the same values again. Retries are left to the caller (a router retries the
 * failed batch), unless `retry` is given.
 */
export function redisHashSink(connection: RedisConnection, options: RedisHashSinkOptions = {}): Sink {
  return writerSink(connection, options, "redis-hashes", writeHashes, {
    sink: "redisHashSink",
    writer: "writeHashes",
  });
}
