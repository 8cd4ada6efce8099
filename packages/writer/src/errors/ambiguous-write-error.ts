import { type CommandError, type CommandOutcome, PolarsRedisError } from "@polars-redis/core";

const marker = "polars-redis.error.ambiguous-write";
const symbol = Symbol.for(marker);

/**
 * A non-idempotent write (RPUSH in append mode, XADD with server-generated ids) was sent and lost its reply.
 * Sending it again could apply it twice, so it is not retryable: check the key before writing it again.
 * `cause` is the connection or timeout error that cut the reply off.
 */
export class AmbiguousWriteError extends PolarsRedisError {
  protected readonly [symbol] = true;
  readonly outcome: CommandOutcome = "unknown";

  constructor(cause: CommandError, what: string) {
    super({
      code: cause.code,
      message: `${what} is not idempotent and its reply was lost (${cause.message}); it is not retried automatically, because it may have been applied already`,
      retryable: false,
      cause,
    });
    this.name = "AmbiguousWriteError";
  }

  static override isInstance(error: unknown): error is AmbiguousWriteError {
    return error != null && typeof error === "object" && (error as Record<symbol, unknown>)[symbol] === true;
  }
}
