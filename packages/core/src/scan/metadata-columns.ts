import { isCommandError } from "../connection/is-command-error.js";
import type { BatchReply } from "../connection/redis-connection.js";
import type { ColumnData } from "./columns/column-data.js";

/** The key column of a chunk: each row's key, as Utf8. */
export function keyColumnData(keys: readonly string[], keyIndexes: Int32Array): ColumnData {
  const values: string[] = new Array(keyIndexes.length);
  for (let row = 0; row < keyIndexes.length; row++) values[row] = keys[keyIndexes[row]!]!;
  return { dtype: { kind: "utf8" }, length: values.length, values, validity: null, nullCount: 0 };
}

/**
 * The TTL column of a chunk, Int64 milliseconds from PTTL replies (one per key of the batch). Keys without
 * an expiry (-1) and keys gone by the time PTTL ran (-2) get null.
 */
export function ttlColumnData(replies: readonly BatchReply[], keyIndexes: Int32Array): ColumnData {
  const length = keyIndexes.length;
  const values = new Float64Array(length);
  const validity = new Uint8Array(length);
  let nullCount = 0;
  for (let row = 0; row < length; row++) {
    const reply = replies[keyIndexes[row]!];
    if (isCommandError(reply as BatchReply)) throw reply;
    const ttl = Number(reply);
    if (ttl >= 0) {
      values[row] = ttl;
      validity[row] = 1;
    } else nullCount++;
  }
  return { dtype: { kind: "int64" }, length, values, validity: nullCount > 0 ? validity : null, nullCount };
}
