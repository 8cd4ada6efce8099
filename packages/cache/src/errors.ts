import {
  PolarsRedisError,
  RedisCommandError,
  RedisConnectionError,
  RedisTimeoutError,
} from "@polars-redis/core";

/**
 * The same error, of the same class and code, with `context` in front of its message (the original is kept as
 * `cause`): callers still branch on `redisCode` / `outcome`, and the message says which entry and step failed.
 */
export function withContext(error: unknown, context: string): Error {
  if (RedisCommandError.isInstance(error)) {
    return new RedisCommandError({
      message: `${context}: ${error.message}`,
      command: error.command,
      redisCode: error.redisCode,
      cause: error,
    });
  }
  if (RedisConnectionError.isInstance(error)) {
    return new RedisConnectionError({
      message: `${context}: ${error.message}`,
      host: error.host,
      port: error.port,
      outcome: error.outcome,
      command: error.command,
      cause: error,
    });
  }
  if (RedisTimeoutError.isInstance(error)) {
    return new RedisTimeoutError({
      message: `${context}: ${error.message}`,
      timeoutMs: error.timeoutMs,
      command: error.command,
      cause: error,
    });
  }
  if (PolarsRedisError.isInstance(error)) return error;
  return error instanceof Error ? error : new Error(String(error));
}

/** Whether the server may have applied the failed command (no answer arrived). */
export function outcomeUnknown(error: unknown): boolean {
  return (
    (RedisConnectionError.isInstance(error) || RedisTimeoutError.isInstance(error)) &&
    error.outcome === "unknown"
  );
}
