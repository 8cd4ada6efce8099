import type { CheckpointStore, RedisConnection } from "@polars-redis/core";
import { requireKey } from "../internal/validate.js";

export interface RedisCheckpointStoreOptions {
  /** Prefix of the string keys holding positions. ["checkpoint:"] */
  prefix?: string;
}

/**
 * Positions as Redis strings (`<prefix><name>`), one SET per commit: durable as the server is, shared by every
 * process that uses the same names. Use a hash tag in the prefix to keep them on one cluster slot if needed.
 */
export function createRedisCheckpointStore(
  conn: RedisConnection,
  options: RedisCheckpointStoreOptions = {},
): CheckpointStore {
  const prefix = options.prefix ?? "checkpoint:";
  if (typeof prefix !== "string") throw new TypeError("prefix must be a string");
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
