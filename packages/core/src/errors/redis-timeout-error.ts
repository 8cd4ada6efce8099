import type { CommandOutcome } from "./command-outcome.js";
import { hasMarker, PolarsRedisError } from "./polars-redis-error.js";

const marker = "polars-redis.error.timeout";
const symbol = Symbol.for(marker);

/** No reply within the allowed time. The server may still apply the command: the outcome is "unknown". */
export class RedisTimeoutError extends PolarsRedisError {
  protected readonly [symbol] = true;
  readonly timeoutMs: number;
  readonly outcome: CommandOutcome = "unknown";
  readonly command: string | undefined;

  constructor(options: {
    message: string;
    timeoutMs: number;
    command?: string | undefined;
    cause?: unknown;
  }) {
    super({ code: "TIMEOUT", message: options.message, retryable: true, cause: options.cause });
    this.name = "RedisTimeoutError";
    this.timeoutMs = options.timeoutMs;
    this.command = options.command?.toUpperCase();
  }

  static override isInstance(error: unknown): error is RedisTimeoutError {
    return hasMarker(error, marker);
  }
}
