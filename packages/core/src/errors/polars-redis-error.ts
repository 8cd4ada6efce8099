/**
 * The root of the error family. Every error this project throws or returns is a PolarsRedisError with a
 * stable `code` and a `retryable` flag.
 *
 * `instanceof` fails as soon as an application has two installed copies of core (packages are versioned
 * separately), so each class carries a `Symbol.for` marker and offers a static `isInstance` that checks it.
 */
const marker = "polars-redis.error";
const symbol = Symbol.for(marker);

export type ErrorCode =
  | "CONNECTION"
  | "TIMEOUT"
  | "COMMAND"
  | "SCHEMA_MISMATCH"
  | "INVALID_ARGUMENT"
  | "STREAM_GAP"
  | "PARTIAL_WRITE"
  | "ABORTED"
  | "MODULE_NOT_LOADED"
  | "CONNECTION_CLOSED";

export interface PolarsRedisErrorOptions {
  code: ErrorCode;
  message: string;
  retryable?: boolean | undefined;
  cause?: unknown;
}

export class PolarsRedisError extends Error {
  protected readonly [symbol] = true;
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor({ code, message, retryable = false, cause }: PolarsRedisErrorOptions) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "PolarsRedisError";
    this.code = code;
    this.retryable = retryable;
  }

  static isInstance(error: unknown): error is PolarsRedisError {
    return hasMarker(error, marker);
  }
}

/** True when `error` carries the `Symbol.for(marker)` brand, whichever copy of core created it. */
export function hasMarker(error: unknown, markerName: string): boolean {
  return (
    error != null &&
    typeof error === "object" &&
    Symbol.for(markerName) in error &&
    (error as Record<symbol, unknown>)[Symbol.for(markerName)] === true
  );
}
