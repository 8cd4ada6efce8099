import type { RedisConnection, Sink } from "@polars-redis/core";
import { type WriteStringsOptions, writeStrings } from "../writers/write-strings.js";
import type { RedisSinkOptions } from "./redis-sink-options.js";
import { writerSink } from "./writer-sink.js";

export interface RedisStringSinkOptions extends Omit<WriteStringsOptions, "signal">, RedisSinkOptions {}

/**
 * A Sink writing one string per row (see writeStrings). Replaying a batch is harmless: SET of the same value
 * leaves the same state. Retries are left to the caller unless `retry` is given.
 */
export function redisStringSink(connection: RedisConnection, options: RedisStringSinkOptions = {}): Sink {
  return writerSink(connection, options, "redis-strings", writeStrings, {
    sink: "redisStringSink",
    writer: "writeStrings",
  });
}
