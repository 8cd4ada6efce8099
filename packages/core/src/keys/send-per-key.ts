import type { BatchReply, Command, RedisConnection } from "../connection/redis-connection.js";
import { throwIfAborted } from "../errors/aborted-error.js";

/**
 * Sends single-key commands (one or more per key), `batchSize` keys per `batch` call, and hands each chunk's
 * replies to `onChunk` in key order. Single-key commands let a cluster connection route each one to the node
 * that owns its slot. Only one chunk of commands and replies is alive at a time, so memory stays bounded.
 */
export async function sendPerKey(
  conn: RedisConnection,
  keys: readonly string[],
  toCommands: (key: string, index: number) => Command[],
  onChunk: (keys: readonly string[], replies: readonly BatchReply[], firstIndex: number) => void,
  options: { batchSize: number; signal?: AbortSignal | undefined },
): Promise<void> {
  for (let start = 0; start < keys.length; start += options.batchSize) {
    throwIfAborted(options.signal);
    const chunk = keys.slice(start, start + options.batchSize);
    const commands: Command[] = [];
    for (let offset = 0; offset < chunk.length; offset++) {
      for (const command of toCommands(chunk[offset]!, start + offset)) commands.push(command);
    }
    const replies = await conn.batch(commands, { signal: options.signal });
    onChunk(chunk, replies, start);
  }
}
