import pl from "nodejs-polars";
import type { RedisArgument, RedisConnection } from "../connection/redis-connection.js";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import { checkBatchSize, checkKeyCall, type KeySourceOptions } from "./key-options.js";
import { type KeySource, resolveKeys } from "./key-source.js";
import { type KeyUpdateResult, KeyUpdateTally } from "./key-update-result.js";
import { sendPerKey } from "./send-per-key.js";

/**
 * The TTL to set: one value for every key, one value per key (same order as the keys), or the name of a column
 * of the key frame that holds each key's TTL.
 */
export type TtlSpec = number | readonly number[] | { column: string };

export interface SetTtlOptions extends KeySourceOptions {
  /** The TTL's unit: "s" sends EXPIRE, "ms" sends PEXPIRE. ["s"] */
  unit?: "s" | "ms" | undefined;
  /**
   * Redis 7's EXPIRE condition: "NX" only keys without a TTL, "XX" only keys with one, "GT"/"LT" only when the
   * new TTL is greater/less than the current one. Keys the condition excludes count as skipped.
   */
  condition?: "NX" | "XX" | "GT" | "LT" | undefined;
}

const CONDITIONS: ReadonlySet<string> = new Set(["NX", "XX", "GT", "LT"]);

/**
 * Sets a time to live on keys, pipelined (one EXPIRE per key). Every TTL is checked before anything is sent: a
 * TTL must be a positive integer (0 or a negative TTL would delete the key; use deleteKeys for that).
 *
 * In the result, `skipped` keys did not exist (or were excluded by `condition`).
 *
 * ```ts
 * await setTtl(conn, ["session:1", "session:2"], 3600);
 * await setTtl(conn, frame, { column: "ttl" });          // per-key TTLs from the frame's `ttl` column
 * ```
 */
export async function setTtl(
  conn: RedisConnection,
  keys: KeySource,
  ttl: TtlSpec,
  options: SetTtlOptions = {},
): Promise<KeyUpdateResult> {
  checkKeyCall("setTtl", conn, options);
  const keyList = resolveKeys(keys, options.keyColumn ?? "_key");
  const ttls = resolveTtls(keys, keyList, ttl);
  if (options.unit !== undefined && options.unit !== "s" && options.unit !== "ms") {
    throw new InvalidArgumentError("unit", `expected "s" or "ms", got ${JSON.stringify(options.unit)}`);
  }
  const command = options.unit === "ms" ? "PEXPIRE" : "EXPIRE";
  const condition = options.condition;
  if (condition !== undefined && !CONDITIONS.has(condition)) {
    throw new InvalidArgumentError(
      "condition",
      `expected NX, XX, GT or LT, got ${JSON.stringify(condition)}`,
    );
  }
  const tally = new KeyUpdateTally();
  await sendPerKey(
    conn,
    keyList,
    (key, index) => {
      const args: RedisArgument[] = [key, ttls(index)];
      if (condition !== undefined) args.push(condition);
      return [[command, ...args]];
    },
    (chunk, replies) => tally.countChangedFlags(chunk, replies),
    { batchSize: checkBatchSize(options.batchSize), signal: options.signal },
  );
  return tally;
}

/** Validates every TTL up front and returns a lookup by key position. */
function resolveTtls(source: KeySource, keys: readonly string[], ttl: TtlSpec): (index: number) => number {
  if (typeof ttl === "number") {
    checkTtl(ttl, "ttl");
    return () => ttl;
  }
  let values: readonly unknown[];
  let argument: string;
  if (Array.isArray(ttl)) {
    values = ttl;
    argument = "ttl";
  } else if (
    ttl !== null &&
    typeof ttl === "object" &&
    typeof (ttl as { column?: unknown }).column === "string"
  ) {
    const column = (ttl as { column: string }).column;
    if (!pl.DataFrame.isDataFrame(source)) {
      throw new InvalidArgumentError("ttl", "{ column } needs the keys as a DataFrame that has that column");
    }
    if (!source.columns.includes(column)) {
      throw new InvalidArgumentError(
        "ttl",
        `the frame has no column ${JSON.stringify(column)}; its columns are ${JSON.stringify(source.columns)}`,
      );
    }
    values = source.getColumn(column).toArray();
    argument = `ttl (column ${column})`;
  } else {
    throw new InvalidArgumentError("ttl", "expected a number, an array of numbers or { column: name }");
  }
  if (values.length !== keys.length) {
    throw new InvalidArgumentError(argument, `has ${values.length} TTLs for ${keys.length} keys`);
  }
  for (let index = 0; index < values.length; index++) {
    checkTtl(values[index], argument, keys[index]);
  }
  return (index) => values[index] as number;
}

function checkTtl(value: unknown, argument: string, key?: string): void {
  if (typeof value === "number" && Number.isSafeInteger(value) && value > 0) return;
  const where = key === undefined ? "" : ` for key ${JSON.stringify(key)}`;
  throw new InvalidArgumentError(
    argument,
    `a TTL must be a positive integer${where}, got ${value === null ? "null" : String(value)}` +
      (typeof value === "number" && value <= 0 ? " (0 or less would delete the key; use deleteKeys)" : ""),
  );
}
