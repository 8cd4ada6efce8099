import { createHash } from "node:crypto";
import {
  type RedisArgument,
  RedisCommandError,
  type RedisConnection,
  type RedisReply,
} from "@polars-redis/core";

/**
 * A Lua script sent by its SHA1 (EVALSHA), and in full only when the server does not know it yet. Its keys are
 * declared, so a cluster connection routes it to their (shared) slot.
 */
export class LuaScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash("sha1").update(source).digest("hex");
  }

  async run(
    conn: RedisConnection,
    keys: readonly string[],
    args: readonly RedisArgument[],
  ): Promise<RedisReply> {
    try {
      return await conn.call("EVALSHA", this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!RedisCommandError.isInstance(error) || error.redisCode !== "NOSCRIPT") throw error;
      return conn.call("EVAL", this.source, keys.length, ...keys, ...args);
    }
  }
}
