import {
  InvalidArgumentError,
  type KeyError,
  type RedisConnection,
  type Sink,
  type SinkWriteContext,
  WriteResult,
} from "@polars-redis/core";
import type { DataFrame } from "nodejs-polars";
import { isStreamId } from "../frame/stream-id.js";
import {
  type StreamEntriesOutcome,
  type WriteStreamsOptions,
  writeStreamEntries,
} from "../writers/write-streams.js";
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
 * A Sink adding one stream entry per row (see writeStreams), by default under the source's entry ids (or
 * `idColumn`): a replay after a crash or a retry adds nothing twice. A stream fed this way must be fed by one
 * source (ids of two sources interleave; an out-of-order id is reported as an error, never dropped).
 *
 * Its WriteResult is per row, keyed by the row's id (`context.rowIds`, else "<stream> <entry id>"): a row is
 * written when its entry was added (or was already there), failed with its stream's error, skipped when it had
 * no non-null field or its stream existed in "fail" mode.
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
      if (ids === "auto" || writeOptions.idColumn !== undefined) {
        return perRow(await writeStreamEntries(connection, frame, base), frame, context);
      }
      const rowIds = context.rowIds;
      if (rowIds === undefined || rowIds.length !== frame.height || !rowIds.every(isStreamId)) {
        throw new InvalidArgumentError(
          "rowIds",
          `${name} derives entry ids from the batch's row ids, which must be stream ids "<ms>-<seq>", one per row; give idColumn, or ids: "auto" to let the server assign them`,
        );
      }
      return perRow(await writeStreamEntries(connection, frame, { ...base, ids: rowIds }), frame, context);
    },
    close: sinkCloser(connection, options),
  };
}

/** Turns a per-stream result into a per-row one, keyed by row id. */
function perRow(outcome: StreamEntriesOutcome, frame: DataFrame, context: SinkWriteContext): WriteResult {
  const { result, keys, ids, emptyRows } = outcome;
  const skipped = new Set(result.skippedKeys);
  let written = 0;
  const skippedKeys: string[] = [];
  const errors = new Map<string, KeyError>();
  for (let row = 0; row < frame.height; row++) {
    const id = context.rowIds?.[row] ?? `${keys[row]} ${ids[row] === "*" ? `#${row}` : ids[row]}`;
    const error = result.errors.get(keys[row]!);
    if (error !== undefined) errors.set(id, error);
    else if (emptyRows.has(row) || skipped.has(keys[row]!)) skippedKeys.push(id);
    else written++;
  }
  return new WriteResult({ written, skippedKeys, errors });
}
