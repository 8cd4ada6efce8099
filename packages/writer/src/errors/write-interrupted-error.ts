import { type CommandOutcome, PolarsRedisError } from "@polars-redis/core";

const marker = "polars-redis.error.write-interrupted";
const symbol = Symbol.for(marker);

/**
 * The key error of a key whose write an abort (signal, destination timeout) cut short.
 * `outcome` "rejected": its commands were never sent, so nothing was applied and it is safe to send again.
 * `outcome` "unknown": its commands were sent but no reply came; `retryable` only when the write is idempotent.
 */
export class WriteInterruptedError extends PolarsRedisError {
  protected readonly [symbol] = true;
  readonly outcome: CommandOutcome;

  constructor(options: { outcome: CommandOutcome; retryable: boolean; cause?: unknown }) {
    super({
      code: "ABORTED",
      message:
        options.outcome === "rejected"
          ? "not sent: the write was aborted before this key's batch went out"
          : "sent, but the write was aborted before a reply arrived: the server may or may not have applied it",
      retryable: options.retryable,
      cause: options.cause,
    });
    this.name = "WriteInterruptedError";
    this.outcome = options.outcome;
  }

  static override isInstance(error: unknown): error is WriteInterruptedError {
    return error != null && typeof error === "object" && (error as Record<symbol, unknown>)[symbol] === true;
  }
}
