import { DEFAULT_RETRY_POLICY, InvalidArgumentError, type RetryPolicy } from "@polars-redis/core";
import { backoffDelay, type ResolvedRetryPolicy, resolveRetryPolicy } from "@polars-redis/core/internal";

/**
 * @deprecated The backoff shape streams took before core's RetryPolicy (`{ initialMs, maxMs, jitter: 0.2 }`).
 * Still accepted and translated: `initialDelayMs`, `maxDelayMs`, and jitter 0 → "none", else "equal".
 */
export interface BackoffOptions {
  initialMs?: number | undefined;
  maxMs?: number | undefined;
  jitter?: number | undefined;
}

/**
 * How streams waits between retries: core's RetryPolicy (`initialDelayMs`, `maxDelayMs`, `multiplier`,
 * `jitter`), or the older BackoffOptions. Consumers and routes retry until stopped, so `attempts` is not used.
 */
export type RetryDelayOption = RetryPolicy | BackoffOptions;

/** The wait before retry `n` (1 = the first retry), from core's one backoff. Bad input throws here. */
export function retryDelays(
  option: RetryDelayOption | undefined,
  argument: string,
  defaults: Partial<ResolvedRetryPolicy> = {},
): (retry: number) => number {
  if (option !== undefined && (option === null || typeof option !== "object" || Array.isArray(option))) {
    throw new InvalidArgumentError(
      argument,
      "expected a retry policy ({ initialDelayMs, maxDelayMs, multiplier, jitter })",
    );
  }
  const policy = resolveRetryPolicy(option === undefined ? undefined : fromLegacy(option, argument), {
    argument,
    defaults: { ...DEFAULT_RETRY_POLICY, ...defaults },
  });
  return (retry) => Math.round(backoffDelay(retry, policy));
}

function fromLegacy(option: RetryDelayOption, argument: string): RetryPolicy {
  const legacy = option as BackoffOptions & Record<string, unknown>;
  if (!("initialMs" in legacy || "maxMs" in legacy || typeof legacy.jitter === "number"))
    return option as RetryPolicy;
  const { initialMs, maxMs, jitter, ...rest } = legacy;
  if (Object.keys(rest).length > 0) {
    throw new InvalidArgumentError(
      argument,
      `mixes the old backoff options (initialMs, maxMs, jitter) with ${Object.keys(rest).join(", ")}; use a retry policy ({ initialDelayMs, maxDelayMs, multiplier, jitter })`,
    );
  }
  if (jitter !== undefined && !(jitter >= 0 && jitter <= 1)) {
    throw new InvalidArgumentError(
      `${argument}.jitter`,
      `expected a fraction between 0 and 1, got ${String(jitter)}`,
    );
  }
  return {
    ...(initialMs === undefined ? {} : { initialDelayMs: initialMs }),
    ...(maxMs === undefined ? {} : { maxDelayMs: maxMs }),
    ...(jitter === undefined ? {} : { jitter: jitter === 0 ? "none" : "equal" }),
  };
}
