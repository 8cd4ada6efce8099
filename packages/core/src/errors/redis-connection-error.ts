import type { CommandOutcome } from "./command-outcome.js";
import { hasMarker, PolarsRedisError } from "./polars-redis-error.js";

const marker = "polars-redis.error.connection";
const symbol = Symbol.for(marker);

/**
 * The connection could not be opened, or was lost. Always retryable. Inside a batch, it marks the commands
 * that were sent but never answered: their `outcome` is "unknown".
 */
export class RedisConnectionError extends PolarsRedisError {
  protected readonly [symbol] = true;
  readonly host: string | undefined;
  readonly port: number | undefined;
  readonly outcome: CommandOutcome;
  /** The command this error stands for, when it marks one command of a batch. */
  readonly command: string | undefined;

  constructor(options: {
    message: string;
    host?: string | undefined;
    port?: number | undefined;
    outcome?: CommandOutcome | undefined;
    command?: string | undefined;
    cause?: unknown;
  }) {
    super({ code: "CONNECTION", message: options.message, retryable: true, cause: options.cause });
    this.name = "RedisConnectionError";
    this.host = options.host;
    this.port = options.port;
    this.outcome = options.outcome ?? "unknown";
    this.command = options.command?.toUpperCase();
  }

  static override isInstance(error: unknown): error is RedisConnectionError {
    return hasMarker(error, marker);
  }
}
