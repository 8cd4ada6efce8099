import { isCommandError } from "../connection/is-command-error.js";
import type { BatchReply, CommandError } from "../connection/redis-connection.js";
import { moduleNotLoadedFrom } from "../errors/module-not-loaded-error.js";
import type { ReadContext } from "./scan-reader.js";

export interface UnreadableKeyOptions {
  /**
   * Recognises the error a module answers for a key that does not exist (RedisTimeSeries: "TSDB: the key does
   * not exist"), where core commands answer nil: such a key is skipped and counted as missing.
   */
  readonly isMissing?: (error: CommandError) => boolean;
  /** Count the skipped key in the report [true]; false when the key was counted before (read in part). */
  readonly count?: boolean;
}

/**
 * Sorts out a reply that is an error: WRONGTYPE means the key holds another type now (re-created after
 * SCAN, or listed in `keys`), so it is skipped and counted, and the function returns true. Any other
 * error (connection lost, OOM, ...) is thrown: a scan never hides a failure it cannot explain.
 */
export function skipWrongType(reply: BatchReply, context: ReadContext): boolean {
  return skipUnreadableKey(reply, context);
}

/**
 * skipWrongType, plus the module's "no such key" error (`isMissing`), counted as a missing key. Returns true
 * when the key is to be skipped, false when the reply is not an error; throws any other error.
 */
export function skipUnreadableKey(
  reply: BatchReply,
  context: ReadContext,
  { isMissing, count = true }: UnreadableKeyOptions = {},
): boolean {
  if (!isCommandError(reply)) return false;
  if (isMissing?.(reply)) {
    if (count) context.keyMissing();
    return true;
  }
  if ("redisCode" in reply && reply.redisCode === "WRONGTYPE") {
    if (count) context.keyWrongType();
    return true;
  }
  // "unknown command 'JSON.GET'": the module is missing on this server; say so once, not key by key.
  throw moduleNotLoadedFrom(reply) ?? reply;
}
