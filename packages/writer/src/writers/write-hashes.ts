import { InvalidArgumentError, type RedisConnection, type WriteResult } from "@polars-redis/core";
import { encodeBulk, takesRawPath } from "@polars-redis/core/internal";
import type { DataFrame } from "nodejs-polars";
import { executeWrite } from "../engine/execute-write.js";
import { HashPipePlan } from "../engine/pipe/hash-pipe-plan.js";
import { ScriptPlan } from "../engine/script-plan.js";
import type { WritePlan } from "../engine/write-plan.js";
import { columnDtypes } from "../frame/format-column.js";
import { resolveUniqueKeys } from "../frame/resolve-keys.js";
import { resolveTtls } from "../frame/resolve-ttls.js";
import { assertFormattable, textPlan } from "../frame/text-plan.js";
import { TextWindows } from "../frame/text-windows.js";
import { checkWriteCall, resolveWriteOptions } from "../options/resolve-write-options.js";
import type { IfExists, WriteOptions } from "../options/write-options.js";
import { COLLECTION_SCRIPT, COLLECTION_STEP } from "../scripts/collection-script.js";
import { type HashFields, HashRow } from "./hash-row.js";

export interface WriteHashesOptions extends WriteOptions {}

/**
 * Default batches in flight on the raw pipe (`parallel`, 2 elsewhere). Measured at 1M rows: 96k rows/s with 2,
 * 107k with 4, 106–119k with 8, 107k with 16: with few in flight the server idles while the client formats.
 */
const PIPE_PARALLEL = 8;

/**
 * Writes one hash per row: every column except the key column (and `ttlColumn`) becomes a field.
 *
 * - A null value is not written (in "replace" mode the field is then absent; in "append" mode an existing
 *   field keeps its value). A row whose values are all null is not written and is reported as skipped.
 * - "replace" (default): DEL + HSET + PEXPIRE as one atomic step per key; "append": HSET (+ PEXPIRE), merging
 *   fields; "fail": keys that exist are skipped, checked atomically with the write.
 * - Values are stored as text: exact integers, floats as Polars prints them ("inf", "NaN" included),
 *   booleans as "true"/"false", dates as YYYY-MM-DD, datetimes as ISO 8601 (UTC with "Z" when the column
 *   has a time zone), so that reading back with the same schema gives the same frame.
 *
 * Values go from Polars' Arrow memory to the wire as bytes, column by column, without a JS object per row,
 * formatted a window of rows at a time so that formatting overlaps the server's work. On a single server,
 * "replace" and "append" (without TTL) are sent as plain commands over a raw pipe ("replace" as MULTI/EXEC
 * groups of up to 100 keys); "fail", "append" with a TTL, and clusters use a per-key Lua script.
 * Bad input (missing key column, null or repeated keys, unsupported dtypes, bad TTL) throws an
 * InvalidArgumentError before anything is written. Per-key failures are reported, never thrown.
 */
export async function writeHashes(
  connection: RedisConnection,
  frame: DataFrame,
  options: WriteHashesOptions = {},
): Promise<WriteResult> {
  checkWriteCall("writeHashes", connection, frame, options);
  const settings = resolveWriteOptions(options, { ifExists: "replace" });
  const { keys, keyColumn } = resolveUniqueKeys(frame, options);
  const ttlOf = resolveTtls(frame, options);
  const fieldNames = frame.columns.filter((name) => name !== keyColumn && name !== options.ttlColumn);
  if (fieldNames.length === 0) {
    throw new InvalidArgumentError(
      "frame",
      `no columns to write as hash fields besides the key (columns: ${frame.columns.join(", ")})`,
    );
  }
  const dtypes = columnDtypes(frame);
  const text = textPlan(fieldNames, dtypes, "frame");
  assertFormattable(frame, fieldNames, dtypes, "frame");
  const names = fieldNames.map((name) => Buffer.from(name));
  const fields: HashFields = {
    names,
    encodedNames: names.map(encodeBulk),
    values: new TextWindows(frame, text, textWindowRows(settings.batchSize)),
  };

  // The first window is formatted now: a problem every window shares (a column name Polars reads as a pattern)
  // fails here, before anything is written. Values that cannot be formatted were checked by assertFormattable.
  if (frame.height > 0) fields.values.columnsAt(0);
  // A row with no value at all is found when its window is formatted, and reported as skipped then.
  const units = keys.map((key, row) => new HashRow(key, ttlOf(row), row, fields));
  const plan = planFor(connection, settings.ifExists, units);
  // On the pipe a batch costs the server less than a round trip: keep more in flight unless told otherwise.
  const parallel = options.parallel ?? (plan instanceof HashPipePlan ? PIPE_PARALLEL : settings.parallel);
  return executeWrite(connection, plan, units, { ...settings, parallel });
}

/**
 * Plain commands over the connection's raw pipe where they keep every promise ("replace": MULTI/EXEC;
 * "append" without TTL: HSET), else the per-key script: "fail" needs its existence check and the write in one
 * step, "append" with a TTL must not leave a TTL on a key whose HSET failed, and a cluster routes per slot.
 */
function planFor(connection: RedisConnection, mode: IfExists, units: readonly HashRow[]): WritePlan<HashRow> {
  const withTtl = units.some((unit) => unit.ttl > 0);
  if (takesRawPath(connection, "any") && (mode === "replace" || (mode === "append" && !withTtl))) {
    return new HashPipePlan(mode);
  }
  return new ScriptPlan({
    script: COLLECTION_SCRIPT,
    mode,
    header: ["HSET", COLLECTION_STEP],
    command: "HSET",
    description: `HSET (hashes, ${mode})`,
    idempotent: true,
  });
}

/** Rows per text window: whole batches, at least a few thousand rows so Polars' per-call cost stays small. */
function textWindowRows(batchSize: number): number {
  return Math.min(Math.max(batchSize, 4096), 65_536);
}
