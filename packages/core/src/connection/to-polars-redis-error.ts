import { RedisCommandError } from "../errors/redis-command-error.js";
import { RedisConnectionError } from "../errors/redis-connection-error.js";
import { RedisTimeoutError } from "../errors/redis-timeout-error.js";
import type { CommandError } from "./redis-connection.js";

export interface Endpoint {
  host?: string | undefined;
  port?: number | undefined;
}

/**
 * Maps what ioredis rejects a command with onto the error family. ioredis uses plain Errors for transport
 * trouble, so the message is the only signal; the cases below are the ones ioredis 6 produces.
 */
export function toCommandError(
  error: unknown,
  command: string,
  endpoint: Endpoint,
  timeoutMs = 0,
): CommandError {
  if (RedisCommandError.isInstance(error) || RedisConnectionError.isInstance(error)) return error;
  if (RedisTimeoutError.isInstance(error)) return error;
  const err = error instanceof Error ? error : new Error(String(error));
  const where = endpoint.host === undefined ? "" : ` (${endpoint.host}:${endpoint.port})`;
  if (
    err.name === "ReplyError" ||
    err.constructor?.name === "SimpleError" ||
    err.constructor?.name === "ReplyError"
  ) {
    return new RedisCommandError({ message: err.message, command, cause: err });
  }
  if (err.message === "Command timed out") {
    return new RedisTimeoutError({
      message: `${command.toUpperCase()}: no reply within ${timeoutMs} ms${where}`,
      timeoutMs,
      command,
      cause: err,
    });
  }
  if (err.name === "MaxRetriesPerRequestError" || /offline queue|enableOfflineQueue/i.test(err.message)) {
    // The command waited in the offline queue and was never written to a socket: it was not applied.
    return new RedisConnectionError({
      message: `${command.toUpperCase()} was not sent: the connection${where} is down (${err.message})`,
      ...endpoint,
      outcome: "rejected",
      command,
      cause: err,
    });
  }
  // "Command aborted due to connection close", "Connection is closed.", socket errors: the command may have
  // reached the server before the connection went away.
  return new RedisConnectionError({
    message: `${command.toUpperCase()}: connection lost before a reply${where} (${err.message})`,
    ...endpoint,
    outcome: "unknown",
    command,
    cause: err,
  });
}
