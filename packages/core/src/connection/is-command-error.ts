import type { BatchReply, CommandError } from "./redis-connection.js";

/** Tells a failed command's entry in a batch's answer from a reply (replies are never Error objects). */
export function isCommandError(reply: BatchReply): reply is CommandError {
  return reply instanceof Error;
}
