import type { RedisConnection, Sink } from "@polars-redis/core";
import { type WriteHashesOptions, writeHashes } from "../writers/write-hashes.js";
import { type RedisSinkOptions, sinkCloser } from "./redis-sink-options.js";

export interface RedisHashSinkOptions extends Omit<WriteHashesOptions, "signal">, RedisSinkOptions {}

/**
 * A Sink writing one hash per row (see writeHashes). Replaying a batch is harmless: "replace" and "append"
 * set the same fields to the same values again. Retries are left to the caller (a router retries the
 * failed batch), unless `retry` is given.
 */
export function redisHashSink(connection: RedisConnection, options: RedisHashSinkOptions = {}): Sink {
  const { name = "redis-hashes", closeConnection: _, ...writeOptions } = options;
  return {
    name,
    write: (frame, context) =>
      writeHashes(connection, frame, { retry: false, ...writeOptions, signal: context.signal }),
    close: sinkCloser(connection, options),
  };
}
