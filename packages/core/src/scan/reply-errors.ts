import { isCommandError } from "../connection/is-command-error.js";
import type { BatchReply } from "../connection/redis-connection.js";
import type { ReadContext } from "./scan-reader.js";

/**
 * Sorts out a reply that is an error: WRONGTYPE means the key holds another type now (re-created after
 * SCAN, or listed in `keys`), so it is skipped and counted, and the function returns true. Any other
 * error (connection lost, OOM, ...) is thrown: a scan never hides a failure it cannot explain.
 */
export function skipWrongType(reply: BatchReply, context: ReadContext): boolean {
  if (!isCommandError(reply)) return false;
  if ("redisCode" in reply && reply.redisCode === "WRONGTYPE") {
    context.keyWrongType();
    return true;
  }
  throw reply;
}
