import { setTimeout as delay } from "node:timers/promises";
import { AbortedError, throwIfAborted } from "@polars-redis/core";

/** Waits `ms`, or rejects with an AbortedError as soon as `signal` fires. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  throwIfAborted(signal);
  try {
    await delay(ms, undefined, signal === undefined ? undefined : { signal });
  } catch (error) {
    if (signal?.aborted) throw new AbortedError(signal.reason);
    throw error;
  }
}

/** Exponential backoff with jitter: attempt 0 waits about `baseMs`, never more than `maxMs`. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}
