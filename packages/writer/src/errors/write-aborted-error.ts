import { AbortedError, type WriteResult } from "@polars-redis/core";

const marker = "polars-redis.error.write-aborted";
const symbol = Symbol.for(marker);

/**
 * A write's AbortSignal fired before every key was confirmed. `result` says what happened to each key: keys
 * confirmed written or skipped, keys that failed, and keys left unconfirmed (each with a
 * WriteInterruptedError saying whether it was sent), so the caller knows exactly what to retry.
 */
export class WriteAbortedError extends AbortedError {
  protected readonly [symbol] = true;
  readonly result: WriteResult;

  constructor(result: WriteResult, reason?: unknown) {
    super(reason);
    this.name = "WriteAbortedError";
    this.message = `the write was aborted: ${result.written} keys written, ${result.skipped} skipped, ${result.failed} failed or unconfirmed`;
    this.result = result;
  }

  static override isInstance(error: unknown): error is WriteAbortedError {
    return error != null && typeof error === "object" && (error as Record<symbol, unknown>)[symbol] === true;
  }
}
