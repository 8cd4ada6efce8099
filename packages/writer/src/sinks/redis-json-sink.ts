import type { RedisConnection, Sink } from "@polars-redis/core";
import { type WriteJsonOptions, writeJson } from "../writers/write-json.js";
import { type RedisSinkOptions, sinkCloser } from "./redis-sink-options.js";

export interface RedisJsonSinkOptions extends Omit<WriteJsonOptions, "signal">, RedisSinkOptions {}

/**
 * A Sink writing one JSON document per row (see writeJson). Replaying a batch is harmless: JSON.SET and
 * JSON.MERGE of the same document leave the same state. Retries are left to the caller unless `retry` is given.
 */
export function redisJsonSink(connection: RedisConnection, options: RedisJsonSinkOptions = {}): Sink {
  const { name = "redis-json", closeConnection: _, ...writeOptions } = options;
  return {
    name,
    write: (frame, context) =>
      writeJson(connection, frame, { retry: false, ...writeOptions, signal: context.signal }),
    close: sinkCloser(connection, options),
  };
}
