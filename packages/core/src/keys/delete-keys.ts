import type { RedisConnection } from "../connection/redis-connection.js";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import { type DeleteResult, DeleteTally } from "./delete-result.js";
import { checkBatchSize, checkKeyCall, type KeySourceOptions } from "./key-options.js";
import { type KeySource, resolveKeys } from "./key-source.js";
import { sendPerKey } from "./send-per-key.js";

export interface DeleteKeysOptions extends KeySourceOptions {
  /**
   * "unlink" frees the values' memory in a background thread, so deleting big keys never blocks the server;
   * "del" frees it inline. ["unlink"]
   */
  method?: "unlink" | "del" | undefined;
}

/**
 * Deletes the given keys, pipelined, one single-key UNLINK (or DEL) per key so a cluster connection can route
 * each to its node. A key that fails does not stop the others; see `errors`.
 */
export async function deleteKeys(
  conn: RedisConnection,
  keys: KeySource,
  options: DeleteKeysOptions = {},
): Promise<DeleteResult> {
  checkKeyCall("deleteKeys", conn, options);
  const keyList = resolveKeys(keys, options.keyColumn ?? "_key");
  const batchSize = checkBatchSize(options.batchSize);
  const command = deleteCommandName(options.method);
  const tally = new DeleteTally();
  await sendPerKey(
    conn,
    keyList,
    (key) => [[command, key]],
    (chunk, replies) => {
      for (let index = 0; index < chunk.length; index++) tally.count(chunk[index]!, replies[index]!);
    },
    { batchSize, signal: options.signal },
  );
  return tally;
}

export function deleteCommandName(method: DeleteKeysOptions["method"]): "UNLINK" | "DEL" {
  if (method === undefined || method === "unlink") return "UNLINK";
  if (method === "del") return "DEL";
  throw new InvalidArgumentError("method", `expected "unlink" or "del", got ${JSON.stringify(method)}`);
}
