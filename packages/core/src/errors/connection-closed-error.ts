import type { CommandOutcome } from "./command-outcome.js";
import { hasMarker, PolarsRedisError } from "./polars-redis-error.js";

const marker = "polars-redis.error.connection-closed";
const symbol = Symbol.for(marker);

/**
 * The connection was closed by the application (`close()`, or `quit()` on its own ioredis client) and is used
 * again. Not retryable: retrying cannot reopen a connection the caller closed on purpose. Distinct from
 * RedisConnectionError (a connection lost or refused, which retries handle). `outcome` is "rejected" when
 * nothing was sent, "unknown" for a command in flight when the caller closed the connection.
 */
export class ConnectionClosedError extends PolarsRedisError {
  protected readonly [symbol] = true;
  readonly outcome: CommandOutcome;
  /** The command this error stands for, when it marks one command of a batch. */
  readonly command: string | undefined;

  constructor(
    options: { command?: string | undefined; outcome?: CommandOutcome | undefined; cause?: unknown } = {},
  ) {
    const what = options.command ? `${options.command.toUpperCase()}: ` : "";
    super({
      code: "CONNECTION_CLOSED",
      message: `${what}the connection was closed by the application; open a new one with connect() (or connectCluster())`,
      retryable: false,
      cause: options.cause,
    });
    this.name = "ConnectionClosedError";
    this.outcome = options.outcome ?? "rejected";
    this.command = options.command?.toUpperCase();
  }

  static override isInstance(error: unknown): error is ConnectionClosedError {
    return hasMarker(error, marker);
  }
}
