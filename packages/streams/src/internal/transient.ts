import { PolarsRedisError } from "@polars-redis/core";

/** Errors worth retrying after a pause: connection loss, timeouts, LOADING, OOM, BUSY and the like. */
export function isTransient(error: unknown): boolean {
  return PolarsRedisError.isInstance(error) && error.retryable;
}
