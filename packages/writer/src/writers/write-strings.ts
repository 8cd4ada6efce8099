import type { RedisConnection, WriteResult } from "@polars-redis/core";
import type { DataFrame } from "nodejs-polars";
import { executeWrite } from "../engine/execute-write.js";
import { ScriptPlan } from "../engine/script-plan.js";
import { ArgumentsUnit } from "../engine/script-unit.js";
import { formatColumn } from "../frame/format-column.js";
import { requireColumn } from "../frame/require-column.js";
import { resolveUniqueKeys } from "../frame/resolve-keys.js";
import { resolveTtls } from "../frame/resolve-ttls.js";
import { checkWriteCall, resolveWriteOptions } from "../options/resolve-write-options.js";
import type { WriteOptions } from "../options/write-options.js";
import { STRING_SCRIPT } from "../scripts/string-script.js";

export interface WriteStringsOptions extends WriteOptions {
  /** The column holding each key's value. ["value"] */
  valueColumn?: string | undefined;
}

/**
 * Writes one string per row (SET, with PX for a TTL). A row whose value is null is not written and is
 * reported as skipped. Modes: "replace" (default; SET replaces value and TTL at once) and "fail"
 * (SET NX: existing keys are skipped). A string has nothing to merge, so "append" is refused.
 */
export async function writeStrings(
  connection: RedisConnection,
  frame: DataFrame,
  options: WriteStringsOptions = {},
): Promise<WriteResult> {
  checkWriteCall("writeStrings", connection, frame, options);
  const settings = resolveWriteOptions(options, { ifExists: "replace", modes: ["replace", "fail"] });
  const { keys } = resolveUniqueKeys(frame, options);
  const ttlOf = resolveTtls(frame, options);
  const values = formatColumn(
    requireColumn(frame, options.valueColumn ?? "value", "valueColumn"),
    "valueColumn",
  );

  const units: ArgumentsUnit[] = [];
  const skippedKeys: string[] = [];
  for (let row = 0; row < keys.length; row++) {
    const value = values[row];
    if (value == null) skippedKeys.push(keys[row]!);
    else units.push(new ArgumentsUnit(keys[row]!, ttlOf(row), [[value]]));
  }
  const plan = new ScriptPlan({
    script: STRING_SCRIPT,
    mode: settings.ifExists,
    command: "SET",
    description: `SET (strings, ${settings.ifExists})`,
    idempotent: true,
  });
  return executeWrite(connection, plan, units, { ...settings, skippedKeys });
}
