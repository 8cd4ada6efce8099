import {
  type BatchReply,
  type Command,
  InvalidArgumentError,
  isCommandError,
  RedisCommandError,
  type RedisConnection,
  type WriteResult,
} from "@polars-redis/core";
import { requireModule } from "@polars-redis/core/internal";
import type { DataFrame } from "nodejs-polars";
import { executeWrite } from "../engine/execute-write.js";
import type { KeyStatus, WritePlan } from "../engine/write-plan.js";
import { WriteInterruptedError } from "../errors/write-interrupted-error.js";
import { jsonMembers } from "../frame/json-column.js";
import { resolveUniqueKeys } from "../frame/resolve-keys.js";
import { resolveTtls } from "../frame/resolve-ttls.js";
import { checkWriteCall, resolveWriteOptions } from "../options/resolve-write-options.js";
import type { IfExists, WriteOptions } from "../options/write-options.js";

export interface WriteJsonOptions extends WriteOptions {}

interface JsonUnit {
  key: string;
  ttl: number;
  document: string;
}

/**
 * Writes one JSON document per row (RedisJSON): every column except the key (and `ttlColumn`) becomes a
 * member; null values are left out, and a row with no value at all is reported as skipped.
 *
 * - "replace" (default): `JSON.SET key $ doc` replaces the whole document in one step; then the TTL is set
 *   (`PEXPIRE`) or cleared (`PERSIST`), so the key ends up exactly as written.
 * - "append": `JSON.MERGE key $ doc` (RFC 7396 merge; creates missing keys).
 * - "fail": `JSON.SET key $ doc NX`, race-free; a TTL is set afterwards on the keys actually created.
 *
 * Int64 stays exact (JSON numbers written from Polars text), dates and datetimes become ISO strings, lists and
 * structs become arrays and objects, NaN/±inf are refused before writing.
 */
export async function writeJson(
  connection: RedisConnection,
  frame: DataFrame,
  options: WriteJsonOptions = {},
): Promise<WriteResult> {
  checkWriteCall("writeJson", connection, frame, options);
  const settings = resolveWriteOptions(options, { ifExists: "replace" });
  const { keys, keyColumn } = resolveUniqueKeys(frame, options);
  const ttlOf = resolveTtls(frame, options);
  const names = frame.columns.filter((name) => name !== keyColumn && name !== options.ttlColumn);
  if (names.length === 0) {
    throw new InvalidArgumentError(
      "frame",
      `no columns to write as JSON members (columns: ${frame.columns.join(", ")})`,
    );
  }
  const members = names.map((name) => jsonMembers(frame.getColumn(name), "frame"));

  const units: JsonUnit[] = [];
  const skippedKeys: string[] = [];
  for (let row = 0; row < keys.length; row++) {
    let document = "";
    for (const column of members) {
      const member = column[row];
      if (member !== undefined) document += document === "" ? member : `,${member}`;
    }
    if (document === "") skippedKeys.push(keys[row]!);
    else units.push({ key: keys[row]!, ttl: ttlOf(row), document: `{${document}}` });
  }
  // After every check of the input: a server without the module fails once, before any key is sent.
  if (units.length > 0) await requireModule(connection, "JSON.SET");
  return executeWrite(connection, new JsonPlan(settings.ifExists), units, { ...settings, skippedKeys });
}

/** Native RedisJSON commands: JSON.SET replaces a whole document atomically, so no script is needed. */
class JsonPlan implements WritePlan<JsonUnit> {
  readonly description: string;
  readonly idempotent = true;

  constructor(private readonly mode: IfExists) {
    this.description = `JSON.${mode === "append" ? "MERGE" : "SET"} (JSON, ${mode})`;
  }

  async send(
    connection: RedisConnection,
    units: readonly JsonUnit[],
    signal?: AbortSignal,
  ): Promise<KeyStatus[]> {
    const commands: Command[] = [];
    const firstCommand: number[] = [];
    for (const unit of units) {
      firstCommand.push(commands.length);
      if (this.mode === "append") commands.push(["JSON.MERGE", unit.key, "$", unit.document]);
      else if (this.mode === "fail") commands.push(["JSON.SET", unit.key, "$", unit.document, "NX"]);
      else commands.push(["JSON.SET", unit.key, "$", unit.document]);
      // In fail mode the TTL may only touch keys this write created: it is set in a second round trip.
      if (unit.ttl > 0 && this.mode !== "fail") commands.push(["PEXPIRE", unit.key, unit.ttl]);
      else if (this.mode === "replace") commands.push(["PERSIST", unit.key]);
    }
    const replies = await connection.batch(commands);
    const statuses = units.map((_, index) => {
      const from = firstCommand[index]!;
      const to = firstCommand[index + 1] ?? commands.length;
      return statusOf(replies, from, to, commands);
    });
    if (this.mode === "fail") await this.expireCreated(connection, units, statuses, signal);
    return statuses;
  }

  private async expireCreated(
    connection: RedisConnection,
    units: readonly JsonUnit[],
    statuses: KeyStatus[],
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const created = units.flatMap((unit, index) =>
      statuses[index] === "written" && unit.ttl > 0 ? [index] : [],
    );
    if (created.length === 0) return;
    if (signal?.aborted) {
      for (const index of created)
        statuses[index] = new WriteInterruptedError({ outcome: "rejected", retryable: false });
      return;
    }
    const replies = await connection.batch(
      created.map((index) => ["PEXPIRE", units[index]!.key, units[index]!.ttl]),
    );
    created.forEach((index, position) => {
      const reply = replies[position]!;
      if (isCommandError(reply)) statuses[index] = reply;
    });
  }
}

/** A key's status from its commands' replies: the first error, "skipped" for a nil JSON.SET NX, else written. */
function statusOf(
  replies: readonly BatchReply[],
  from: number,
  to: number,
  commands: readonly Command[],
): KeyStatus {
  for (let index = from; index < to; index++) {
    const reply = replies[index]!;
    if (isCommandError(reply)) return reply;
    if (index === from && reply === null) return "skipped";
    if (index === from && reply !== "OK") {
      return new RedisCommandError({
        message: `ERR unexpected reply ${JSON.stringify(reply)}`,
        command: String(commands[index]![0]),
      });
    }
  }
  return "written";
}
