import type { CommandOutcome } from "./command-outcome.js";
import { hasMarker, PolarsRedisError } from "./polars-redis-error.js";

const marker = "polars-redis.error.command";
const symbol = Symbol.for(marker);

/**
 * Redis error prefixes that describe a transient condition: the same command can succeed later.
 * WRONGTYPE, ERR, NOSCRIPT, EXECABORT and the like are permanent for the same input.
 */
const RETRYABLE_REDIS_CODES: ReadonlySet<string> = new Set([
  "OOM",
  "LOADING",
  "BUSY",
  "TRYAGAIN",
  "CLUSTERDOWN",
  "MASTERDOWN",
  "READONLY",
  "NOREPLICAS",
  "MOVED",
  "ASK",
]);

export function isRetryableRedisCode(redisCode: string): boolean {
  return RETRYABLE_REDIS_CODES.has(redisCode);
}

/** The leading upper-case word of a Redis error reply: "WRONGTYPE Operation against..." -> "WRONGTYPE". */
export function redisCodeOf(message: string): string {
  const match = /^([A-Z][A-Z_-]*)\b/.exec(message);
  return match ? match[1]! : "ERR";
}

/** The server rejected one command; the other commands of a batch are unaffected. */
export class RedisCommandError extends PolarsRedisError {
  protected readonly [symbol] = true;
  /** Redis's own error code: WRONGTYPE, OOM, LOADING, MOVED, ERR, ... */
  readonly redisCode: string;
  /** The command name, upper-case (arguments are not kept: they may be large or secret). */
  readonly command: string;
  readonly outcome: CommandOutcome = "rejected";

  constructor(options: {
    message: string;
    command: string;
    redisCode?: string | undefined;
    cause?: unknown;
  }) {
    const redisCode = options.redisCode ?? redisCodeOf(options.message);
    super({
      code: "COMMAND",
      message: options.message,
      retryable: isRetryableRedisCode(redisCode),
      cause: options.cause,
    });
    this.name = "RedisCommandError";
    this.redisCode = redisCode;
    this.command = options.command.toUpperCase();
  }

  static override isInstance(error: unknown): error is RedisCommandError {
    return hasMarker(error, marker);
  }
}
