import type { BatchReply } from "./redis-connection.js";

/**
 * The reply to command `index` of a `batch`. A RedisConnection promises exactly one reply per command, in order;
 * a connection (possibly an application's own implementation) that breaks that promise gets a clear error here
 * instead of an `undefined` read as a reply.
 */
export function replyAt(replies: readonly BatchReply[], index: number): BatchReply {
  if (index < replies.length) return replies[index] as BatchReply;
  throw new Error(
    `RedisConnection.batch answered ${replies.length} replies, no reply for command #${index}: a connection must answer one reply per command`,
  );
}
