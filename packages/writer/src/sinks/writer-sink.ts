import type { RedisConnection, Sink, WriteResult } from "@polars-redis/core";
import type { DataFrame } from "nodejs-polars";
import { checkSinkCall, type WriterName } from "../options/resolve-write-options.js";
import type { WriteOptions } from "../options/write-options.js";
import { type RedisSinkOptions, sinkCloser } from "./redis-sink-options.js";

/**
 * A Sink that writes each batch with one writer (writeHashes, writeJson, writeStrings) and the sink's options.
 * The batch's signal stops the write; retries are left to the caller unless `retry` is given.
 */
export function writerSink<Options extends WriteOptions>(
  connection: RedisConnection,
  options: Omit<Options, "signal"> & RedisSinkOptions,
  defaultName: string,
  write: (connection: RedisConnection, frame: DataFrame, options: Options) => Promise<WriteResult>,
  names: { sink: string; writer: WriterName },
): Sink {
  checkSinkCall(names.sink, names.writer, connection, options);
  const { name = defaultName, closeConnection: _, ...writeOptions } = options;
  return {
    name,
    write: (frame, context) =>
      write(connection, frame, { retry: false, ...writeOptions, signal: context.signal } as Options),
    close: sinkCloser(connection, options),
  };
}
