import { hasMarker, PolarsRedisError } from "./polars-redis-error.js";

const marker = "polars-redis.error.aborted";
const symbol = Symbol.for(marker);

/** The caller's AbortSignal fired. `cause` holds the signal's reason. */
export class AbortedError extends PolarsRedisError {
  protected readonly [symbol] = true;

  constructor(reason?: unknown) {
    super({ code: "ABORTED", message: "the operation was aborted", cause: reason });
    this.name = "AbortedError";
  }

  static override isInstance(error: unknown): error is AbortedError {
    return hasMarker(error, marker);
  }
}

/** Throws an AbortedError when `signal` has fired; call it between units of work. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError(signal.reason);
}
