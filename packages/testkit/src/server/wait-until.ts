import { setTimeout as delay } from "node:timers/promises";

/**
 * Polls `probe` until it returns a value other than undefined, or throws `onTimeout()` when `timeoutMs` has
 * passed (or `stopWhen` says so). A probe that throws counts as "not yet"; its last error becomes the timeout error's cause.
 */
export async function waitUntil<T>(
  probe: () => Promise<T | undefined>,
  options: {
    timeoutMs: number;
    intervalMs?: number;
    /** Give up before the deadline when this turns true (e.g. the process being waited for has exited). */
    stopWhen?: () => boolean;
    onTimeout: (lastError: unknown) => Error;
  },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 50;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline || options.stopWhen?.()) throw options.onTimeout(lastError);
    await delay(interval);
  }
}
