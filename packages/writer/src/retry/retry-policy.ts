import { InvalidArgumentError } from "@polars-redis/core";

/** How a retry waits: exponential backoff, capped, with jitter so many clients do not retry in lock-step. */
export interface RetryPolicy {
  /** Attempts in total, the first one included. 1 disables retries. [3] */
  attempts?: number;
  /** Delay before the first retry, before jitter. [100] */
  initialDelayMs?: number;
  /** Upper bound of any delay. [5000] */
  maxDelayMs?: number;
  /** Growth of the delay per retry. [2] */
  multiplier?: number;
  /**
   * "full": a uniform delay in [0, backoff] (spreads retries the most); "equal": [backoff/2, backoff];
   * "none": exactly the backoff. ["full"]
   */
  jitter?: "full" | "equal" | "none";
}

/** `false`: no retries; `true`: the default policy; a number: attempts in total; or a policy. */
export type RetryOption = boolean | number | RetryPolicy;

export interface ResolvedRetryPolicy {
  readonly attempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly multiplier: number;
  readonly jitter: "full" | "equal" | "none";
}

export const DEFAULT_RETRY_POLICY: ResolvedRetryPolicy = {
  attempts: 3,
  initialDelayMs: 100,
  maxDelayMs: 5000,
  multiplier: 2,
  jitter: "full",
};

/** Validates a retry option and fills in defaults; bad values fail before anything is written. */
export function resolveRetryPolicy(
  option: RetryOption | undefined,
  fallback: ResolvedRetryPolicy = DEFAULT_RETRY_POLICY,
): ResolvedRetryPolicy {
  if (option === undefined || option === true) return fallback;
  if (option === false) return { ...fallback, attempts: 1 };
  const policy: RetryPolicy = typeof option === "number" ? { attempts: option } : option;
  if (policy === null || typeof policy !== "object") {
    throw new InvalidArgumentError("retry", "expected a boolean, a number of attempts or a retry policy");
  }
  const resolved: ResolvedRetryPolicy = {
    attempts: policy.attempts ?? fallback.attempts,
    initialDelayMs: policy.initialDelayMs ?? fallback.initialDelayMs,
    maxDelayMs: policy.maxDelayMs ?? fallback.maxDelayMs,
    multiplier: policy.multiplier ?? fallback.multiplier,
    jitter: policy.jitter ?? fallback.jitter,
  };
  if (!Number.isInteger(resolved.attempts) || resolved.attempts < 1) {
    throw new InvalidArgumentError("retry.attempts", `must be an integer >= 1, got ${resolved.attempts}`);
  }
  for (const name of ["initialDelayMs", "maxDelayMs"] as const) {
    if (!Number.isFinite(resolved[name]) || resolved[name] < 0) {
      throw new InvalidArgumentError(`retry.${name}`, `must be a number >= 0, got ${resolved[name]}`);
    }
  }
  if (!Number.isFinite(resolved.multiplier) || resolved.multiplier < 1) {
    throw new InvalidArgumentError("retry.multiplier", `must be a number >= 1, got ${resolved.multiplier}`);
  }
  if (!["full", "equal", "none"].includes(resolved.jitter)) {
    throw new InvalidArgumentError(
      "retry.jitter",
      `must be "full", "equal" or "none", got ${resolved.jitter}`,
    );
  }
  return resolved;
}

/**
 * The wait before retry number `retry` (1 = the first retry): `initialDelayMs * multiplier^(retry-1)`, capped
 * at `maxDelayMs`, then jittered. `random` returns a number in [0, 1) (injectable for tests).
 */
export function backoffDelay(
  retry: number,
  policy: ResolvedRetryPolicy,
  random: () => number = Math.random,
): number {
  const backoff = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** (retry - 1));
  switch (policy.jitter) {
    case "none":
      return backoff;
    case "equal":
      return backoff / 2 + random() * (backoff / 2);
    default:
      return random() * backoff;
  }
}
