import type { RedisConnection, Sink } from "@polars-redis/core";
import { type WriteJsonOptions, writeJson } from "../writers/write-json.js";
import type { RedisSinkOptions } from "./redis-sink-options.js";
import { writerSink } from "./writer-sink.js";

export interface RedisJsonSinkOptions extends Omit<WriteJsonOptions, "signal">, RedisSinkOptions {}

/**
 * A Sink writing one JSON document per row (see writeJson). Replaying a batch is harmless: JSON.SET and
 * JSON.MERGE of the same document leave the same state. Retries are left to the caller unless `retry` is given.
 */
export function redisJsonSink(connection: RedisConnection, options: RedisJsonSinkOptions = {}): Sink {
  return writerSink(connection, options, "redis-json", writeJson, {
    sink: "redisJsonSink",
    writer: "writeJson",
  });
}
