import pl from "nodejs-polars";
import type { RedisConnection } from "../connection/redis-connection.js";
import { checkBatchSize, checkKeyCall, type KeySourceOptions } from "./key-options.js";
import { type KeySource, resolveKeys } from "./key-source.js";
import { replyOrThrow } from "./reply-or-throw.js";
import { sendPerKey } from "./send-per-key.js";

/**
 * Which of the keys exist: a DataFrame `key` (Utf8), `exists` (Boolean), one row per key in input order.
 * One EXISTS per key, pipelined.
 */
export async function existsKeys(
  conn: RedisConnection,
  keys: KeySource,
  options: KeySourceOptions = {},
): Promise<pl.DataFrame> {
  checkKeyCall("existsKeys", conn, options);
  const keyList = resolveKeys(keys, options.keyColumn ?? "_key");
  const exists = new Array<boolean>(keyList.length);
  await sendPerKey(
    conn,
    keyList,
    (key) => [["EXISTS", key]],
    (chunk, replies, first) => {
      for (let index = 0; index < chunk.length; index++)
        exists[first + index] = replyOrThrow(replies[index]!) === 1;
    },
    { batchSize: checkBatchSize(options.batchSize), signal: options.signal },
  );
  return pl.DataFrame([pl.Series("key", keyList, pl.Utf8), pl.Series("exists", exists, pl.Bool)]);
}
