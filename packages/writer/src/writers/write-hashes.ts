import { InvalidArgumentError, type RedisConnection, type WriteResult } from "@polars-redis/core";
import type { DataFrame } from "nodejs-polars";
import { executeWrite } from "../engine/execute-write.js";
import type { PayloadWriter } from "../engine/payload-writer.js";
import { ARGS_PER_CALL, ScriptPlan } from "../engine/script-plan.js";
import type { ScriptUnit } from "../engine/script-unit.js";
import { type ByteColumn, byteColumns } from "../frame/byte-column.js";
import { textExpression } from "../frame/format-column.js";
import { resolveUniqueKeys } from "../frame/resolve-keys.js";
import { resolveTtls } from "../frame/resolve-ttls.js";
import { resolveWriteOptions } from "../options/resolve-write-options.js";
import type { WriteOptions } from "../options/write-options.js";
import { COLLECTION_SCRIPT, COLLECTION_STEP } from "../scripts/collection-script.js";

export interface WriteHashesOptions extends WriteOptions {}

/** Field/value arguments per script call part (even, so pairs stay together). */
const ARGS_PER_PART = ARGS_PER_CALL - (ARGS_PER_CALL % 2);

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
 * Values go from Polars' Arrow memory to the wire as bytes, column by column, without a JS object per row.
 * Bad input (missing key column, null or repeated keys, unsupported dtypes, bad TTL) throws an
 * InvalidArgumentError before anything is written. Per-key failures are reported, never thrown.
 */
export async function writeHashes(
  connection: RedisConnection,
  frame: DataFrame,
  options: WriteHashesOptions = {},
): Promise<WriteResult> {
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
  const schema = frame.schema;
  const expressions = fieldNames.map((name) => textExpression(name, schema[name]!, "frame"));
  const fields: HashFields = {
    names: fieldNames.map((name) => Buffer.from(name)),
    values: byteColumns(frame, expressions),
  };

  const units: HashRow[] = [];
  const skippedKeys: string[] = [];
  for (let row = 0; row < keys.length; row++) {
    let present = 0;
    for (const column of fields.values) if (!column.isNull(row)) present++;
    if (present === 0) skippedKeys.push(keys[row]!);
    else units.push(new HashRow(keys[row]!, ttlOf(row), row, present * 2, fields));
  }

  const plan = new ScriptPlan({
    script: COLLECTION_SCRIPT,
    mode: settings.ifExists,
    header: ["HSET", COLLECTION_STEP],
    command: "HSET",
    description: `HSET (hashes, ${settings.ifExists})`,
    idempotent: true,
  });
  return executeWrite(connection, plan, units, { ...settings, skippedKeys });
}

interface HashFields {
  /** Field names as UTF-8 bytes, encoded once. */
  readonly names: readonly Buffer[];
  readonly values: readonly ByteColumn[];
}

/** One row's hash: its non-null field/value pairs, read from the byte columns when the payload is written. */
class HashRow implements ScriptUnit {
  readonly partCount: number;

  constructor(
    readonly key: string,
    readonly ttl: number,
    private readonly row: number,
    private readonly items: number,
    private readonly fields: HashFields,
  ) {
    this.partCount = Math.ceil(items / ARGS_PER_PART);
  }

  itemCount(part: number): number {
    return Math.min(ARGS_PER_PART, this.items - part * ARGS_PER_PART);
  }

  writePart(part: number, out: PayloadWriter): void {
    const { names, values } = this.fields;
    const skip = (part * ARGS_PER_PART) / 2;
    const take = this.itemCount(part) / 2;
    let seen = 0;
    let written = 0;
    for (let column = 0; column < values.length && written < take; column++) {
      const value = values[column]!;
      if (value.isNull(this.row)) continue;
      if (seen++ < skip) continue;
      out.binary(names[column]!);
      out.bytes(value, this.row);
      written++;
    }
  }
}
