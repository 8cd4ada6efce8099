/**
 * Waits `ms` milliseconds. Resolves `true` when the time has passed, or `false` at once (and clears the timer)
 * when `signal` fires first or has already fired; it never rejects, so each caller decides what an abort means
 * (throw an AbortedError, stop quietly, ...). The one sleep of every package.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  if (!(ms > 0)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
