import { isCommandError } from "../connection/is-command-error.js";
import type { BatchReply, RedisReply } from "../connection/redis-connection.js";

/**
 * The reply, or the command's error thrown. The read-only utilities (existsKeys, ttlKeys, keyInfo) have no
 * partial result to report, so one failed key fails the call with that key's error.
 */
export function replyOrThrow(reply: BatchReply): RedisReply {
  if (isCommandError(reply)) throw reply;
  return reply;
}
