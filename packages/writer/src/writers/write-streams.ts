import {
  InvalidArgumentError,
  type RedisArgument,
  type RedisConnection,
  type WriteResult,
} from "@polars-redis/core";
import type { DataFrame } from "nodejs-polars";
import { executeWrite } from "../engine/execute-write.js";
import { seenKeyFor } from "../engine/same-slot-key.js";
import { ARGS_PER_CALL, ScriptPlan } from "../engine/script-plan.js";
import { ArgumentsUnit } from "../engine/script-unit.js";
import { formatColumn, isIntegerDtype } from "../frame/format-column.js";
import { groupRowsByKey } from "../frame/group-rows.js";
import { consistentTtl } from "../frame/key-ttl.js";
import { requireColumn } from "../frame/require-column.js";
import { resolveKeys } from "../frame/resolve-keys.js";
import { resolveTtls } from "../frame/resolve-ttls.js";
import { compareStreamIds, parseStreamId, parseStreamIds } from "../frame/stream-id.js";
import { checkWriteCall, resolveWriteOptions } from "../options/resolve-write-options.js";
import type { WriteOptions } from "../options/write-options.js";
import { STREAM_DEDUPE_SCRIPT } from "../scripts/stream-dedupe-script.js";
import { STREAM_SCRIPT } from "../scripts/stream-script.js";

/** Lua's unpack takes ~8000 values; an entry is sent as one XADD. */
const MAX_FIELDS_PER_ENTRY = 3900;

export interface WriteStreamsOptions extends WriteOptions {
  /** Every row goes to this stream (instead of `keyColumn` / `keyTemplate`). */
  stream?: string | undefined;
  /**
   * Column of explicit entry ids: "<ms>-<seq>" text, or integers (n becomes "n-0"). Makes the write
   * idempotent: an entry already in the stream (a replay) is detected by its id and counted as written, not
   * added twice. Without ids the server assigns them ("*"), and an entry whose reply was lost is reported as
   * an AmbiguousWriteError, never re-sent.
   */
  idColumn?: string | undefined;
  /** Explicit entry ids per row, like `idColumn` (e.g. the source stream's ids in a sink). */
  ids?: readonly string[] | undefined;
  /** Trim to about (or, with `exactTrim`, exactly) this many entries as entries are added (XADD MAXLEN). */
  maxLen?: number | undefined;
  /** Evict entries with ids below this one as entries are added (XADD MINID). */
  minId?: string | undefined;
  /** Trim exactly ("=") instead of approximately ("~", much cheaper). [false] */
  exactTrim?: boolean | undefined;
  /**
   * Row identities (any text, e.g. the ids of several source streams): entries get server-assigned ids, and
   * each stream remembers the row ids it has added for `dedupeWindowMs`, so a replayed row is recognised and
   * not added twice, whatever the order or the number of sources. "append" mode only. The memory lives in a
   * sorted set next to the stream (same slot): `{<stream or its hash tag>}:polars-redis:seen:<stream>`.
   */
  rowIds?: readonly string[] | undefined;
  /** How long a stream remembers row ids given in `rowIds`, in ms. [86,400,000: one day] */
  dedupeWindowMs?: number | undefined;
}

const DEFAULT_DEDUPE_WINDOW_MS = 86_400_000;

/**
 * Adds one stream entry per row (XADD); every column except the key, id and TTL columns is a field, null
 * values are left out, and a row with no value at all is not added. Entries of one stream are added in id
 * order. Default mode "append"; "replace" rebuilds each stream atomically; "fail" skips existing streams.
 * Results are per stream key: written when every entry was added (or was already there).
 */
export async function writeStreams(
  connection: RedisConnection,
  frame: DataFrame,
  options: WriteStreamsOptions = {},
): Promise<WriteResult> {
  return (await writeStreamEntries(connection, frame, options)).result;
}

/** A stream write's per-key result, and where each row went (for sinks that report per row). */
export interface StreamEntriesOutcome {
  result: WriteResult;
  /** The stream key of every row. */
  keys: readonly string[];
  /** The entry id of every row ("*" when the server assigned it). */
  ids: readonly string[];
  /** Rows not added because every field was null. */
  emptyRows: ReadonlySet<number>;
}

/** writeStreams, telling also which stream and id each row went to. */
export async function writeStreamEntries(
  connection: RedisConnection,
  frame: DataFrame,
  options: WriteStreamsOptions = {},
): Promise<StreamEntriesOutcome> {
  checkWriteCall("writeStreams", connection, frame, options);
  const settings = resolveWriteOptions(options, { ifExists: "append" });
  const header = trimHeader(options);
  const { keys, keyColumn } = streamKeys(frame, options);
  const ttlOf = resolveTtls(frame, options);
  const ids = entryIds(frame, options);
  const rowIds = dedupeRowIds(frame, options, settings.ifExists);
  const cluster = connection.kind === "cluster";
  const fieldNames = frame.columns.filter(
    (name) => name !== keyColumn && name !== options.ttlColumn && name !== options.idColumn,
  );
  if (fieldNames.length === 0) {
    throw new InvalidArgumentError(
      "frame",
      `no columns to write as stream fields (columns: ${frame.columns.join(", ")})`,
    );
  }
  if (fieldNames.length > MAX_FIELDS_PER_ENTRY) {
    throw new InvalidArgumentError(
      "frame",
      `${fieldNames.length} fields per entry; at most ${MAX_FIELDS_PER_ENTRY} are supported`,
    );
  }
  const fields = fieldNames.map((name) => formatColumn(frame.getColumn(name), "frame"));

  const units: ArgumentsUnit[] = [];
  const skippedKeys: string[] = [];
  const emptyRows = new Set<number>();
  for (const [key, rows] of groupRowsByKey(keys)) {
    const ordered = ids === undefined ? rows : orderById(key, rows, ids);
    const ttl = consistentTtl(key, rows, ttlOf);
    const parts: RedisArgument[][] = [];
    let part: RedisArgument[] = [];
    for (const row of ordered) {
      const entry: RedisArgument[] = [];
      for (let column = 0; column < fields.length; column++) {
        const value = fields[column]![row];
        if (value != null) entry.push(fieldNames[column]!, value);
      }
      if (entry.length === 0) {
        emptyRows.add(row);
        continue;
      }
      if (part.length + entry.length + 2 > ARGS_PER_CALL && part.length > 0) {
        parts.push(part);
        part = [];
      }
      part.push(rowIds?.[row] ?? ids?.text[row] ?? "*", entry.length);
      for (const arg of entry) part.push(arg);
    }
    if (part.length > 0) parts.push(part);
    if (rowIds !== undefined && seenKeyFor(key, cluster) === undefined) {
      throw new InvalidArgumentError(
        "rowIds",
        `stream ${JSON.stringify(key)} has no hash tag and contains "}", so no key in its cluster slot can remember its row ids`,
      );
    }
    if (parts.length === 0) skippedKeys.push(key);
    else units.push(new ArgumentsUnit(key, ttl, parts));
  }

  const plan =
    rowIds === undefined
      ? new ScriptPlan({
          script: STREAM_SCRIPT,
          mode: settings.ifExists,
          header,
          command: "XADD",
          description:
            ids === undefined
              ? `XADD with server-assigned ids (${settings.ifExists})`
              : `XADD (${settings.ifExists})`,
          // Explicit ids make a replay detectable; a replace rebuilds the stream from scratch either way.
          idempotent: ids !== undefined || settings.ifExists === "replace",
        })
      : new ScriptPlan({
          script: STREAM_DEDUPE_SCRIPT,
          mode: "append",
          header: [options.dedupeWindowMs ?? DEFAULT_DEDUPE_WINDOW_MS, ...header],
          command: "XADD",
          description: "XADD with remembered row ids (append)",
          idempotent: true,
          companionKey: (key) => seenKeyFor(key, cluster)!,
        });
  const result = await executeWrite(connection, plan, units, { ...settings, skippedKeys });
  return { result, keys, ids: ids?.text ?? new Array<string>(frame.height).fill("*"), emptyRows };
}

/** The row ids to remember (validated), when `rowIds` is given. */
function dedupeRowIds(
  frame: DataFrame,
  options: WriteStreamsOptions,
  mode: string,
): readonly string[] | undefined {
  const { rowIds, dedupeWindowMs } = options;
  if (rowIds === undefined) {
    if (dedupeWindowMs !== undefined)
      throw new InvalidArgumentError("dedupeWindowMs", "only applies with rowIds");
    return undefined;
  }
  if (options.ids !== undefined || options.idColumn !== undefined) {
    throw new InvalidArgumentError(
      "rowIds",
      "give either rowIds (remembered) or entry ids (ids, idColumn), not both",
    );
  }
  if (mode !== "append")
    throw new InvalidArgumentError("rowIds", `remembered row ids need ifExists "append", not "${mode}"`);
  if (!Array.isArray(rowIds) || rowIds.length !== frame.height) {
    throw new InvalidArgumentError(
      "rowIds",
      `expected one row id per row (${frame.height}), got ${rowIds?.length}`,
    );
  }
  const bad = rowIds.findIndex((id) => typeof id !== "string" || id === "");
  if (bad >= 0) throw new InvalidArgumentError("rowIds", `row ${bad} has no row id`);
  if (dedupeWindowMs !== undefined && (!Number.isInteger(dedupeWindowMs) || dedupeWindowMs <= 0)) {
    throw new InvalidArgumentError(
      "dedupeWindowMs",
      `must be a positive integer, got ${String(dedupeWindowMs)}`,
    );
  }
  return rowIds;
}

function streamKeys(
  frame: DataFrame,
  options: WriteStreamsOptions,
): { keys: string[]; keyColumn: string | undefined } {
  if (options.stream === undefined) return resolveKeys(frame, options);
  if (typeof options.stream !== "string" || options.stream === "") {
    throw new InvalidArgumentError("stream", "expected a stream name");
  }
  if (options.keyColumn !== undefined || options.keyTemplate !== undefined) {
    throw new InvalidArgumentError("stream", "give either stream or keyColumn/keyTemplate, not both");
  }
  const key = (options.keyPrefix ?? "") + options.stream;
  return { keys: new Array<string>(frame.height).fill(key), keyColumn: undefined };
}

interface EntryIds {
  text: readonly string[];
  parsed: readonly [bigint, bigint][];
}

function entryIds(frame: DataFrame, options: WriteStreamsOptions): EntryIds | undefined {
  if (options.idColumn !== undefined && options.ids !== undefined) {
    throw new InvalidArgumentError("ids", "give either ids or idColumn, not both");
  }
  if (options.ids !== undefined) {
    if (!Array.isArray(options.ids) || options.ids.length !== frame.height) {
      throw new InvalidArgumentError(
        "ids",
        `expected one id per row (${frame.height}), got ${options.ids?.length}`,
      );
    }
    return { text: options.ids, parsed: parseStreamIds(options.ids, "ids") };
  }
  if (options.idColumn === undefined) return undefined;
  const column = requireColumn(frame, options.idColumn, "idColumn");
  const values = formatColumn(column, "idColumn");
  // An integer id n stands for "n-0": a sequence number is an id a replay can be recognised by.
  const text = isIntegerDtype(column)
    ? values.map((value) => (value == null ? value : `${value}-0`))
    : values;
  return { text: text as string[], parsed: parseStreamIds(text, "idColumn") };
}

/** A stream's rows in id order (XADD needs increasing ids); two rows with one id are an error. */
function orderById(key: string, rows: number[], ids: EntryIds): number[] {
  let sorted = true;
  for (let i = 1; i < rows.length && sorted; i++) {
    sorted = compareStreamIds(ids.parsed[rows[i - 1]!]!, ids.parsed[rows[i]!]!) < 0;
  }
  if (sorted) return rows;
  const ordered = [...rows].sort((a, b) => compareStreamIds(ids.parsed[a]!, ids.parsed[b]!));
  for (let i = 1; i < ordered.length; i++) {
    if (compareStreamIds(ids.parsed[ordered[i - 1]!]!, ids.parsed[ordered[i]!]!) === 0) {
      throw new InvalidArgumentError(
        "ids",
        `stream ${JSON.stringify(key)} gets entry id ${ids.text[ordered[i]!]} twice (rows ${ordered[i - 1]} and ${ordered[i]})`,
      );
    }
  }
  return ordered;
}

function trimHeader(options: WriteStreamsOptions): RedisArgument[] {
  const operator = options.exactTrim ? "=" : "~";
  if (options.maxLen !== undefined && options.minId !== undefined) {
    throw new InvalidArgumentError("maxLen", "give either maxLen or minId, not both");
  }
  if (options.maxLen !== undefined) {
    if (!Number.isInteger(options.maxLen) || options.maxLen < 0) {
      throw new InvalidArgumentError("maxLen", `must be an integer >= 0, got ${String(options.maxLen)}`);
    }
    return ["MAXLEN", operator, options.maxLen];
  }
  if (options.minId !== undefined) {
    if (typeof options.minId !== "string" || parseStreamId(options.minId) === undefined) {
      throw new InvalidArgumentError(
        "minId",
        `expected a stream id "<ms>-<seq>", got ${JSON.stringify(options.minId)}`,
      );
    }
    return ["MINID", operator, options.minId];
  }
  return ["", operator, 0];
}
