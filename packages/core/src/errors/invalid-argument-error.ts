import { hasMarker, PolarsRedisError } from "./polars-redis-error.js";

const marker = "polars-redis.error.invalid-argument";
const symbol = Symbol.for(marker);

/** Bad input, detected before anything is sent or written. */
export class InvalidArgumentError extends PolarsRedisError {
  protected readonly [symbol] = true;
  /** The option or argument at fault, e.g. "keyColumn" or "url". */
  readonly argument: string;

  constructor(argument: string, message: string, cause?: unknown) {
    super({ code: "INVALID_ARGUMENT", message: `${argument}: ${message}`, cause });
    this.name = "InvalidArgumentError";
    this.argument = argument;
  }

  static override isInstance(error: unknown): error is InvalidArgumentError {
    return hasMarker(error, marker);
  }
}
