import type { RedisArgument, RedisConnection, WriteResult } from "@polars-redis/core";
import type { DataFrame } from "nodejs-polars";
import { executeWrite } from "../engine/execute-write.js";
import { ScriptPlan } from "../engine/script-plan.js";
import { ArgumentsUnit } from "../engine/script-unit.js";
import { groupRowsByKey } from "../frame/group-rows.js";
import { consistentTtl } from "../frame/key-ttl.js";
import { resolveKeys } from "../frame/resolve-keys.js";
import { resolveTtls } from "../frame/resolve-ttls.js";
import { splitParts } from "../frame/split-parts.js";
import type { ResolvedWriteOptions } from "../options/resolve-write-options.js";
import type { WriteOptions } from "../options/write-options.js";
import { COLLECTION_SCRIPT, COLLECTION_STEP } from "../scripts/collection-script.js";

/** How one collection type turns its rows into command arguments. */
export interface CollectionSpec {
  /** SADD, ZADD or RPUSH. */
  command: "SADD" | "ZADD" | "RPUSH";
  /** Arguments per item: 1 for a member or element, 2 for a score/member pair. */
  width: number;
  /** The item of a row, or undefined when the row has nothing to add (null member). */
  itemOf(row: number, into: RedisArgument[]): void;
  /** Rows in the order their items must be sent (lists sorted by an index column). */
  order?(rows: number[]): number[];
  description: string;
  idempotent: boolean;
}

/**
 * Writes sets, sorted sets and lists: rows are grouped by key (one key, many rows), each key is written in one
 * atomic step (or staged and renamed when large), and a key whose rows are all null is reported as skipped.
 */
export async function writeCollection(
  connection: RedisConnection,
  frame: DataFrame,
  options: WriteOptions,
  settings: ResolvedWriteOptions,
  spec: CollectionSpec,
): Promise<WriteResult> {
  const { keys } = resolveKeys(frame, options);
  const ttlOf = resolveTtls(frame, options);
  const units: ArgumentsUnit[] = [];
  const skippedKeys: string[] = [];
  for (const [key, rows] of groupRowsByKey(keys)) {
    const ttl = consistentTtl(key, rows, ttlOf);
    const args: RedisArgument[] = [];
    for (const row of spec.order ? spec.order(rows) : rows) spec.itemOf(row, args);
    if (args.length === 0) skippedKeys.push(key);
    else units.push(new ArgumentsUnit(key, ttl, splitParts(args, spec.width)));
  }
  const plan = new ScriptPlan({
    script: COLLECTION_SCRIPT,
    mode: settings.ifExists,
    header: [spec.command, COLLECTION_STEP],
    command: spec.command,
    description: spec.description,
    idempotent: spec.idempotent,
  });
  return executeWrite(connection, plan, units, { ...settings, skippedKeys });
}
