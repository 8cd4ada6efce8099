import { InvalidArgumentError, type RedisConnection, type Sink } from "@polars-redis/core";
import { isStreamId } from "../frame/stream-id.js";
import { type WriteStreamsOptions, writeStreams } from "../writers/write-streams.js";
import { type RedisSinkOptions, sinkCloser } from "./redis-sink-options.js";

export interface RedisStreamSinkOptions
  extends Omit<WriteStreamsOptions, "signal" | "ids">,
    RedisSinkOptions {
  /**
   * Where entry ids come from: "source" (default) uses `idColumn` when given, else the batch's
   * `context.rowIds` (the source stream's entry ids), so a replayed batch is recognised entry by entry and
   * nothing is added twice. "auto" lets the server assign ids: replays then add duplicates.
   */
  ids?: "source" | "auto";
}

/**
 * A Sink adding one stream entry per row (see writeStreams), by default under the source's entry ids: a
 * replay after a crash or a retry adds nothing twice. Each destination stream must then be fed by one source
 * stream (ids of two sources interleave; an out-of-order id is reported as an error, never dropped).
 */
export function redisStreamSink(connection: RedisConnection, options: RedisStreamSinkOptions = {}): Sink {
  const { name = "redis-streams", closeConnection: _, ids = "source", ...writeOptions } = options;
  if (ids !== "source" && ids !== "auto") {
    throw new InvalidArgumentError("ids", `must be "source" or "auto", got ${JSON.stringify(ids)}`);
  }
  return {
    name,
    write: async (frame, context) => {
      const base: WriteStreamsOptions = { retry: false, ...writeOptions, signal: context.signal };
      if (ids === "auto" || writeOptions.idColumn !== undefined) return writeStreams(connection, frame, base);
      const rowIds = context.rowIds;
      if (rowIds === undefined || rowIds.length !== frame.height || !rowIds.every(isStreamId)) {
        throw new InvalidArgumentError(
          "rowIds",
          `${name} derives entry ids from the batch's row ids, which must be stream ids "<ms>-<seq>", one per row; give idColumn, or ids: "auto" to let the server assign them`,
        );
      }
      return writeStreams(connection, frame, { ...base, ids: rowIds });
    },
    close: sinkCloser(connection, options),
  };
}
