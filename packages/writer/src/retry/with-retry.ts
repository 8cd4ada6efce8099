import {
  InvalidArgumentError,
  type KeyError,
  PolarsRedisError,
  type RetryOption,
  WriteResult,
} from "@polars-redis/core";
import {
  backoffDelay,
  describeValue,
  type ResolvedRetryPolicy,
  resolveRetryPolicy,
  sleep,
} from "@polars-redis/core/internal";
import { WriteAbortedError } from "../errors/write-aborted-error.js";

export interface RetryContext {
  /** 1 for the first call, 2 for the first retry, ... */
  attempt: number;
  /**
   * The keys to write on this attempt: undefined means all of them (the first attempt, or a retry after the
   * whole call threw); otherwise only the keys that failed with a retryable error last time.
   */
  keys: ReadonlySet<string> | undefined;
}

export interface RetryHooks {
  /** Stops waiting between attempts; the call then rejects (a WriteAbortedError with the result so far). */
  signal?: AbortSignal | undefined;
  /** Called before each retry, after the delay is chosen. */
  onRetry?:
    | ((info: {
        attempt: number;
        delayMs: number;
        keys: readonly string[] | undefined;
        error?: unknown;
      }) => void)
    | undefined;
}

/**
 * Calls `fn` until it succeeds or the policy gives up, waiting an exponential, jittered backoff in between.
 *
 * - When `fn` returns a WriteResult, only its failed keys whose errors are retryable are retried: `fn` gets
 *   them in `context.keys` and must write those alone. Keys written (or skipped) are never re-sent. The
 *   answer merges every attempt: a key retried successfully counts as written, not failed.
 * - When `fn` throws a retryable error (connection refused, timeout), the same keys are tried again.
 * - Anything else (a non-retryable error, the last attempt) ends it: a thrown error on the first attempt is
 *   rethrown; on a later attempt the keys still outstanding carry that error in the merged result.
 */
export async function withRetry<T>(
  fn: (context: RetryContext) => Promise<T>,
  policy?: RetryOption,
  hooks: RetryHooks = {},
): Promise<T> {
  if (typeof fn !== "function") {
    throw new InvalidArgumentError("fn", `withRetry expected a function to retry, got ${describeValue(fn)}`);
  }
  if (hooks === null || typeof hooks !== "object") {
    throw new InvalidArgumentError("hooks", "expected { signal, onRetry } or nothing");
  }
  const resolved = resolveRetryPolicy(policy);
  let keys: ReadonlySet<string> | undefined;
  let merged: WriteResult | undefined;
  for (let attempt = 1; ; attempt++) {
    let outcome: T;
    try {
      outcome = await fn({ attempt, keys });
    } catch (error) {
      if (WriteAbortedError.isInstance(error) && merged !== undefined) {
        throw new WriteAbortedError(combineRetry(merged, error.result, keys), error.cause);
      }
      const retryable = PolarsRedisError.isInstance(error) && error.retryable;
      if (!retryable || attempt >= resolved.attempts) {
        if (merged === undefined || !PolarsRedisError.isInstance(error)) throw error;
        return replaceErrors(merged, keys, error) as T;
      }
      await waitBeforeRetry(attempt, resolved, keys, hooks, merged, error);
      continue;
    }
    if (!isWriteResult(outcome)) return outcome;
    merged = merged === undefined ? outcome : combineRetry(merged, outcome, keys);
    const retryable = merged.retryableKeys();
    if (retryable.length === 0 || attempt >= resolved.attempts) return merged as T;
    keys = new Set(retryable);
    await waitBeforeRetry(attempt, resolved, keys, hooks, merged);
  }
}

async function waitBeforeRetry(
  attempt: number,
  policy: ResolvedRetryPolicy,
  keys: ReadonlySet<string> | undefined,
  hooks: RetryHooks,
  merged: WriteResult | undefined,
  error?: unknown,
): Promise<void> {
  const delayMs = backoffDelay(attempt, policy);
  hooks.onRetry?.({
    attempt: attempt + 1,
    delayMs,
    keys: keys && [...keys],
    ...(error === undefined ? {} : { error }),
  });
  const completed = await sleep(delayMs, hooks.signal);
  if (!completed) {
    if (merged !== undefined) throw new WriteAbortedError(merged, hooks.signal?.reason);
    throw error ?? new WriteAbortedError(new WriteResult({ written: 0 }), hooks.signal?.reason);
  }
}

/** Duck-typed, so a WriteResult from another installed copy of core is recognised too. */
export function isWriteResult(value: unknown): value is WriteResult {
  return (
    value instanceof WriteResult ||
    (value != null &&
      typeof value === "object" &&
      (value as WriteResult).errors instanceof Map &&
      typeof (value as WriteResult).retryableKeys === "function")
  );
}

/**
 * The result of an earlier attempt updated with a retry of `retriedKeys` (all keys when undefined): the
 * retried keys' old errors are replaced by what the retry found.
 */
export function combineRetry(
  previous: WriteResult,
  retry: WriteResult,
  retriedKeys: ReadonlySet<string> | undefined,
): WriteResult {
  const errors = new Map<string, KeyError>();
  for (const [key, error] of previous.errors) {
    if (retriedKeys !== undefined && !retriedKeys.has(key)) errors.set(key, error);
  }
  for (const [key, error] of retry.errors) errors.set(key, error);
  const keptPrevious = retriedKeys === undefined ? undefined : previous;
  const writtenKeys =
    previous.writtenKeys || retry.writtenKeys
      ? [...(keptPrevious?.writtenKeys ?? []), ...(retry.writtenKeys ?? [])]
      : undefined;
  return new WriteResult({
    written: (keptPrevious?.written ?? 0) + retry.written,
    skipped: (keptPrevious?.skipped ?? 0) + retry.skipped,
    skippedKeys: [...(keptPrevious?.skippedKeys ?? []), ...retry.skippedKeys],
    errors,
    ...(writtenKeys ? { writtenKeys } : {}),
  });
}

function replaceErrors(
  result: WriteResult,
  keys: ReadonlySet<string> | undefined,
  error: KeyError,
): WriteResult {
  const errors = new Map(result.errors);
  for (const key of keys ?? result.errors.keys()) errors.set(key, error);
  return new WriteResult({
    written: result.written,
    skipped: result.skipped,
    skippedKeys: result.skippedKeys,
    errors,
    ...(result.writtenKeys ? { writtenKeys: result.writtenKeys } : {}),
  });
}
