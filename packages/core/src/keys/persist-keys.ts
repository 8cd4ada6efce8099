import type { RedisConnection } from "../connection/redis-connection.js";
import { checkBatchSize, checkKeyCall, type KeySourceOptions } from "./key-options.js";
import { type KeySource, resolveKeys } from "./key-source.js";
import { type KeyUpdateResult, KeyUpdateTally } from "./key-update-result.js";
import { sendPerKey } from "./send-per-key.js";

/**
 * Removes the TTL of each key (PERSIST, pipelined). In the result, `skipped` keys had no TTL or did not exist
 * (Redis does not tell the two apart).
 */
export async function persistKeys(
  conn: RedisConnection,
  keys: KeySource,
  options: KeySourceOptions = {},
): Promise<KeyUpdateResult> {
  checkKeyCall("persistKeys", conn, options);
  const keyList = resolveKeys(keys, options.keyColumn ?? "_key");
  const tally = new KeyUpdateTally();
  await sendPerKey(
    conn,
    keyList,
    (key) => [["PERSIST", key]],
    (chunk, replies) => tally.countChangedFlags(chunk, replies),
    { batchSize: checkBatchSize(options.batchSize), signal: options.signal },
  );
  return tally;
}
