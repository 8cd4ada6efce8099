import { createHash } from "node:crypto";
import type { RedisArgument, RedisConnection, RedisReply } from "../connection/redis-connection.js";
import { RedisCommandError } from "../errors/redis-command-error.js";

const sourcesBySha = new Map<string, string>();

/**
 * A Lua script sent by its SHA1 (EVALSHA), and in full (EVAL) only when a server answers NOSCRIPT: it restarted,
 * or is a cluster node that has not seen the script yet. Its keys are declared, so a cluster connection routes
 * it to their (shared) slot. Every script is remembered by its SHA, so code that batches raw EVALSHA commands
 * can find the source again (`LuaScript.sourceOf`).
 */
export class LuaScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash("sha1").update(source).digest("hex");
    sourcesBySha.set(this.sha, source);
  }

  /** The source of a script built in this process, by its SHA1. */
  static sourceOf(sha: string): string | undefined {
    return sourcesBySha.get(sha);
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
