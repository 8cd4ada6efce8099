import {
  InvalidArgumentError,
  type RedisArgument,
  type RedisConnection,
  type WriteResult,
} from "@polars-redis/core";
import type { DataFrame } from "nodejs-polars";
import { executeWrite } from "../engine/execute-write.js";
import { ScriptPlan, type ScriptUnit } from "../engine/script-plan.js";
import { formatColumn } from "../frame/format-column.js";
import { assertUniqueKeys, resolveKeys } from "../frame/resolve-keys.js";
import { resolveTtls } from "../frame/resolve-ttls.js";
import { splitParts } from "../frame/split-parts.js";
import { resolveWriteOptions } from "../options/resolve-write-options.js";
import type { WriteOptions } from "../options/write-options.js";
import { COLLECTION_SCRIPT, COLLECTION_STEP } from "../scripts/collection-script.js";

export interface WriteHashesOptions extends WriteOptions {}

/**
 * Writes one hash per row: every column except the key column (and `ttlColumn`) becomes a field.
 *
 * - A null value is not written (in "replace" mode the field is then absent; in "append" mode an existing
 *   field keeps its value). A row whose values are all null is not written and is reported as skipped.
 * - "replace" (default): DEL + HSET + EXPIRE as one atomic step per key; "append": HSET (+ EXPIRE), merging
 *   fields; "fail": keys that exist are skipped, checked atomically with the write.
 * - Values are stored as text: exact integers, floats as Polars prints them ("inf", "NaN" included),
 *   booleans as "true"/"false", dates as YYYY-MM-DD, datetimes as ISO 8601 (UTC with "Z" when the column
 *   has a time zone), so that reading back with the same schema gives the same frame.
 *
 * Bad input (missing key column, null or repeated keys, unsupported dtypes, bad TTL) throws an
 * InvalidArgumentError before anything is written. Per-key failures are reported, never thrown.
 */
export async function writeHashes(
  connection: RedisConnection,
  frame: DataFrame,
  options: WriteHashesOptions = {},
): Promise<WriteResult> {
  const settings = resolveWriteOptions(options, { ifExists: "replace" });
  const { keys, keyColumn } = resolveKeys(frame, options);
  assertUniqueKeys(keys, options.keyTemplate === undefined ? "keyColumn" : "keyTemplate");
  const ttlOf = resolveTtls(frame, options);
  const fieldNames = frame.columns.filter((name) => name !== keyColumn && name !== options.ttlColumn);
  if (fieldNames.length === 0) {
    throw new InvalidArgumentError(
      "frame",
      `no columns to write as hash fields besides the key (columns: ${frame.columns.join(", ")})`,
    );
  }
  const fields = fieldNames.map((name) => formatColumn(frame.getColumn(name), "frame"));

  const units: ScriptUnit[] = [];
  const skippedKeys: string[] = [];
  for (let row = 0; row < keys.length; row++) {
    const args: RedisArgument[] = [];
    for (let column = 0; column < fields.length; column++) {
      const value = fields[column]![row];
      if (value != null) args.push(fieldNames[column]!, value);
    }
    if (args.length === 0) skippedKeys.push(keys[row]!);
    else units.push({ key: keys[row]!, ttl: ttlOf(row), parts: splitParts(args, 2) });
  }

  const plan = new ScriptPlan({
    script: COLLECTION_SCRIPT,
    mode: settings.ifExists,
    header: ["HSET", COLLECTION_STEP],
    command: "HSET",
    description: `HSET (hashes, ${settings.ifExists})`,
    idempotent: true,
  });
  return executeWrite(connection, plan, units, {
    ...settings,
    signal: options.signal,
    onProgress: options.onProgress,
    skippedKeys,
  });
}
