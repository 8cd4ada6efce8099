import { AbortedError } from "@polars-redis/core";
import {
  backoffDelay as coreBackoffDelay,
  sleep as coreSleep,
  type ResolvedRetryPolicy,
} from "@polars-redis/core/internal";

/** Waits `ms` (core's sleep), or rejects with an AbortedError as soon as `signal` fires. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (!(await coreSleep(ms, signal))) throw new AbortedError(signal?.reason);
}

/** Core's backoff, counted from 0: wait number 0 is about `policy.initialDelayMs`. */
export function backoffDelay(wait: number, policy: ResolvedRetryPolicy): number {
  return Math.round(coreBackoffDelay(wait + 1, policy));
}
