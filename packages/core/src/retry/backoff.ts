import type { ResolvedRetryPolicy } from "./retry-policy.js";

/**
 * The wait before retry number `retry` (1 = the first retry): `initialDelayMs * multiplier^(retry-1)`,
 * capped at `maxDelayMs`, then jittered as the policy says. `random` returns a number in [0, 1) (injectable
 * for tests). The one backoff of every package.
 */
export function backoffDelay(
  retry: number,
  policy: Pick<ResolvedRetryPolicy, "initialDelayMs" | "maxDelayMs" | "multiplier" | "jitter">,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, Math.min(Math.floor(retry) - 1, 1024));
  const backoff = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** exponent);
  switch (policy.jitter) {
    case "none":
      return backoff;
    case "equal":
      return backoff / 2 + random() * (backoff / 2);
    default:
      return random() * backoff;
  }
}
