import { type CheckpointStore, InvalidArgumentError, type RedisConnection } from "@polars-redis/core";
import { checkConnection, checkOptions } from "@polars-redis/core/internal";
import { REDIS_CHECKPOINT_OPTION_NAMES } from "../internal/option-names.js";
import { requireKey } from "../internal/validate.js";

export interface RedisCheckpointStoreOptions {
  /** Prefix of the string keys holding positions. ["checkpoint:"] */
  prefix?: string | undefined;
}

/**
 * Positions as Redis strings (`<prefix><name>`), one SET per commit: durable as the server is, shared by every
 * process that uses the same names. Use a hash tag in the prefix to keep them on one cluster slot if needed.
 */
export function createRedisCheckpointStore(
  conn: RedisConnection,
  options: RedisCheckpointStoreOptions = {},
): CheckpointStore {
  checkConnection(conn, { function: "createRedisCheckpointStore" });
  checkOptions(options, REDIS_CHECKPOINT_OPTION_NAMES, { function: "createRedisCheckpointStore" });
  const prefix = options.prefix ?? "checkpoint:";
  if (typeof prefix !== "string") throw new InvalidArgumentError("prefix", "expected a string");
  const key = (name: string): string => `${prefix}${requireKey("name", name)}`;
  return {
    async get(name) {
      const value = await conn.call("GET", key(name));
      return value === null ? undefined : String(value);
    },
    async set(name, position) {
      await conn.call("SET", key(name), requireKey("position", position));
    },
    async delete(name) {
      await conn.call("DEL", key(name));
    },
  };
}
