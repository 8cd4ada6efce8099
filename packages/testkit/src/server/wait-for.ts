import { setTimeout as sleep } from "node:timers/promises";

export interface WaitForOptions {
  /** Give up after this long [10 000 ms]. */
  timeoutMs?: number | undefined;
  /** Pause between probes [25 ms]. */
  intervalMs?: number | undefined;
  /** Says what was awaited, for the timeout error. */
  description?: string | undefined;
  /** Give up before the deadline once this returns true (e.g. the process being waited for has exited). */
  stopWhen?: (() => boolean) | undefined;
  /** The error to throw when giving up; gets the probe's last error. [a "timed out ... waiting for" Error] */
  onTimeout?: ((lastError: unknown) => Error) | undefined;
}

/**
 * Polls `probe` until it returns something other than `undefined` or `false`, and resolves with that value.
 * A probe that throws counts as "not yet" (its last error becomes the timeout error's cause). Tests and
 * fixtures use it to wait for a condition (a replica promoted, a client reconnected, a server answering)
 * instead of sleeping and hoping.
 */
export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  {
    timeoutMs = 10_000,
    intervalMs = 25,
    description = "condition",
    stopWhen,
    onTimeout = (lastError) =>
      new Error(`timed out after ${timeoutMs} ms waiting for ${description}`, { cause: lastError }),
  }: WaitForOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline || stopWhen?.()) throw onTimeout(lastError);
    await sleep(intervalMs);
  }
}
