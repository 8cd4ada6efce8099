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
import { checkSinkCall } from "../options/resolve-write-options.js";
import {
  type StreamEntriesOutcome,
  type WriteStreamsOptions,
  writeStreamEntries,
} from "../writers/write-streams.js";
import { type RedisSinkOptions, sinkCloser } from "./redis-sink-options.js";

export interface RedisStreamSinkOptions
  extends Omit<WriteStreamsOptions, "signal" | "ids" | "rowIds">,
    RedisSinkOptions {
  /**
   * How a replayed batch is recognised, so nothing is added twice:
   * - "source" (default): `idColumn` when given; else the batch's `context.rowIds` become the entry ids when
   *   they are stream ids (one source stream per destination stream); other row ids are remembered ("dedupe").
   * - "dedupe": the server assigns entry ids and each stream remembers the row ids it added (for
   *   `dedupeWindowMs`): right when several sources feed one stream, whatever their ids.
   * - "auto": the server assigns ids and nothing is remembered: a replay adds duplicates.
   */
  ids?: "source" | "dedupe" | "auto" | undefined;
}

/**
 * A Sink adding one stream entry per row (see writeStreams) so that a replay after a crash or a retry adds
 * nothing twice: by default under the source's entry ids (or `idColumn`), which needs one source per stream
 * (ids of two sources interleave; an out-of-order id is reported as an error, never dropped); with
 * `ids: "dedupe"` (or row ids that are not stream ids) the stream remembers the row ids it added instead.
 *
 * Its WriteResult is per row, keyed by the row's id (`context.rowIds`, else "<stream> <entry id>"): a row is
 * written when its entry was added (or was already there), failed with its stream's error, skipped when it had
 * no non-null field or its stream existed in "fail" mode.
 */
export function redisStreamSink(connection: RedisConnection, options: RedisStreamSinkOptions = {}): Sink {
  checkSinkCall("redisStreamSink", "writeStreams", connection, options);
  const { name = "redis-streams", closeConnection: _, ids = "source", ...writeOptions } = options;
  if (ids !== "source" && ids !== "dedupe" && ids !== "auto") {
    throw new InvalidArgumentError("ids", `must be "source", "dedupe" or "auto", got ${JSON.stringify(ids)}`);
  }
  return {
    name,
    write: async (frame, context) => {
      const base: WriteStreamsOptions = { retry: false, ...writeOptions, signal: context.signal };
      if (ids === "auto" || (ids === "source" && writeOptions.idColumn !== undefined)) {
        return perRow(await writeStreamEntries(connection, frame, base), frame, context);
      }
      const rowIds = context.rowIds;
      if (rowIds === undefined || rowIds.length !== frame.height) {
        throw new InvalidArgumentError(
          "rowIds",
          `${name} recognises replays by the batch's row ids (context.rowIds, one per row); give idColumn, or ids: "auto" to let the server assign ids without replay protection`,
        );
      }
      const withIds =
        ids === "source" && rowIds.every(isStreamId) ? { ...base, ids: rowIds } : { ...base, rowIds };
      return perRow(await writeStreamEntries(connection, frame, withIds), frame, context);
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
