import { AbortedError } from "../errors/aborted-error.js";

/** The AbortedError for a fired signal: its reason when that already is one. */
export function abortedErrorOf(signal: AbortSignal): AbortedError {
  return AbortedError.isInstance(signal.reason) ? signal.reason : new AbortedError(signal.reason);
}

/**
 * Settles with `promise`, or rejects with an AbortedError as soon as `signal` fires, whichever comes first.
 * An abandoned command still completes on the connection (its reply is read and dropped), so the
 * connection stays usable; the caller just stops waiting for it.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(abortedErrorOf(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      promise.catch(() => undefined);
      reject(abortedErrorOf(signal));
    };
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
