import pl from "nodejs-polars";
import type { RedisConnection } from "../connection/redis-connection.js";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import { int64Column } from "./int64-column.js";
import { checkBatchSize, checkKeyCall, type KeySourceOptions } from "./key-options.js";
import { type KeySource, resolveKeys } from "./key-source.js";
import { replyOrThrow } from "./reply-or-throw.js";
import { sendPerKey } from "./send-per-key.js";

export interface TtlKeysOptions extends KeySourceOptions {
  /** "s" reads TTL (seconds), "ms" reads PTTL (milliseconds). ["s"] */
  unit?: "s" | "ms" | undefined;
}

/**
 * The remaining time to live of each key: a DataFrame `key` (Utf8), `ttl` (Int64), one row per key in input
 * order. As Redis reports it: -1 means the key has no expiry, -2 that it does not exist.
 */
export async function ttlKeys(
  conn: RedisConnection,
  keys: KeySource,
  options: TtlKeysOptions = {},
): Promise<pl.DataFrame> {
  checkKeyCall("ttlKeys", conn, options);
  const keyList = resolveKeys(keys, options.keyColumn ?? "_key");
  const command = ttlCommandName(options.unit);
  const ttls = new Float64Array(keyList.length);
  await sendPerKey(
    conn,
    keyList,
    (key) => [[command, key]],
    (chunk, replies, first) => {
      for (let index = 0; index < chunk.length; index++)
        ttls[first + index] = replyOrThrow(replies[index]!) as number;
    },
    { batchSize: checkBatchSize(options.batchSize), signal: options.signal },
  );
  return pl.DataFrame([pl.Series("key", keyList, pl.Utf8), int64Column("ttl", ttls)]);
}

function ttlCommandName(unit: TtlKeysOptions["unit"]): "TTL" | "PTTL" {
  if (unit === undefined || unit === "s") return "TTL";
  if (unit === "ms") return "PTTL";
  throw new InvalidArgumentError("unit", `expected "s" or "ms", got ${JSON.stringify(unit)}`);
}
