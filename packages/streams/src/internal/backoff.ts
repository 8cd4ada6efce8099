import { InvalidArgumentError } from "@polars-redis/core";

/** Exponential backoff with jitter: attempt 1 waits about `initialMs`, each next one twice as long, capped. */
export interface BackoffOptions {
  /** [100] */
  initialMs?: number;
  /** [5000] */
  maxMs?: number;
  /** Random spread, as a fraction of the delay: 0.2 means ±20 %. [0.2] */
  jitter?: number;
}

export type BackoffFunction = (attempt: number) => number;

export function createBackoff(options: BackoffOptions = {}, argument = "backoff"): BackoffFunction {
  const initialMs = options.initialMs ?? 100;
  const maxMs = options.maxMs ?? 5000;
  const jitter = options.jitter ?? 0.2;
  if (!(initialMs >= 0) || !(maxMs >= initialMs) || !(jitter >= 0 && jitter <= 1)) {
    throw new InvalidArgumentError(argument, "expected 0 <= initialMs <= maxMs and 0 <= jitter <= 1");
  }
  return (attempt) => {
    const base = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
    return Math.max(0, Math.round(base * (1 + jitter * (2 * Math.random() - 1))));
  };
}
