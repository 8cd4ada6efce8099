import {
  ConnectionClosedError,
  type KeyError,
  PolarsRedisError,
  type RedisConnection,
  RedisConnectionError,
  RedisTimeoutError,
  WriteResult,
} from "@polars-redis/core";
import type { ResolvedRetryPolicy } from "@polars-redis/core/internal";
import { AmbiguousWriteError } from "../errors/ambiguous-write-error.js";
import { WriteAbortedError } from "../errors/write-aborted-error.js";
import { WriteInterruptedError } from "../errors/write-interrupted-error.js";
import type { WriteProgress } from "../options/write-options.js";
import { withRetry } from "../retry/with-retry.js";
import type { KeyStatus, KeyUnit, WritePlan } from "./write-plan.js";

export interface ExecuteOptions {
  batchSize: number;
  parallel: number;
  retry: ResolvedRetryPolicy;
  signal?: AbortSignal | undefined;
  onProgress?: ((progress: WriteProgress) => void) | undefined;
  keepWrittenKeys: boolean;
  /** Keys decided before anything is sent (rows with nothing to write); reported as skipped. */
  skippedKeys?: readonly string[];
}

/**
 * Runs a plan over its units: batches of `batchSize` keys, `parallel` batches in flight, retries of failed
 * keys whose errors are retryable (never of keys written or skipped), progress after every batch.
 * Resolves with a WriteResult for every key; rejects with a WriteAbortedError (carrying the partial result)
 * when the signal fires.
 */
export async function executeWrite<U extends KeyUnit>(
  connection: RedisConnection,
  plan: WritePlan<U>,
  units: readonly U[],
  options: ExecuteOptions,
): Promise<WriteResult> {
  const startedAt = performance.now();
  const skippedKeys = options.skippedKeys ?? [];
  const total = units.length + skippedKeys.length;
  const failing = new Set<string>();
  const counts = { written: 0, skipped: skippedKeys.length };
  const report = (attempt: number): void =>
    options.onProgress?.({
      written: counts.written,
      failed: failing.size,
      skipped: counts.skipped,
      total,
      attempt,
      elapsedMs: performance.now() - startedAt,
    });

  const run = withRetry(
    async ({ attempt, keys }) => {
      const selected = keys === undefined ? units : units.filter((unit) => keys.has(unit.key));
      return runPass(
        connection,
        plan,
        selected,
        options,
        (unit, status) => {
          if (status === "written") counts.written++;
          else if (status === "skipped") counts.skipped++;
          if (typeof status === "string") failing.delete(unit.key);
          else failing.add(unit.key);
        },
        () => report(attempt),
      );
    },
    options.retry,
    options.signal === undefined ? {} : { signal: options.signal },
  );
  if (skippedKeys.length === 0) return run;
  const presetSkipped = new WriteResult({ written: 0, skippedKeys });
  try {
    return WriteResult.merge([await run, presetSkipped]);
  } catch (error) {
    if (!WriteAbortedError.isInstance(error)) throw error;
    throw new WriteAbortedError(WriteResult.merge([error.result, presetSkipped]), error.cause);
  }
}

/** One pass over `units`: every unit gets a status, or the pass rejects with a WriteAbortedError. */
async function runPass<U extends KeyUnit>(
  connection: RedisConnection,
  plan: WritePlan<U>,
  units: readonly U[],
  options: ExecuteOptions,
  onStatus: (unit: U, status: KeyStatus) => void,
  onBatch: () => void,
): Promise<WriteResult> {
  const { signal } = options;
  const statuses: (KeyStatus | undefined)[] = new Array(units.length);
  /** Batches sent and not yet answered: their keys' outcome is unknown if the write is aborted now. */
  const inFlight = new Set<number>();
  const batchSize = options.batchSize;
  const batchCount = Math.ceil(units.length / batchSize);
  let next = 0;
  let aborted = false;
  // One abort listener for the whole pass (every batch in flight races the same promise): one per batch would
  // pass Node's 10-listener warning at parallel > 10, and a long-lived signal would collect them.
  const abortWatch = watchAbort(signal);

  // A bug or a value that cannot be formatted throws out of a batch: the other workers stop sending too.
  let crashed = false;
  const worker = async (): Promise<void> => {
    while (next < batchCount && !aborted && !crashed) {
      if (signal?.aborted) {
        aborted = true;
        return;
      }
      const batch = next++;
      const from = batch * batchSize;
      const slice = units.slice(from, Math.min(from + batchSize, units.length));
      inFlight.add(batch);
      let answer: KeyStatus[] | undefined;
      try {
        const sending = sendBatch(connection, plan, slice, signal);
        answer = await (abortWatch === undefined ? sending : Promise.race([sending, abortWatch.aborted]));
      } catch (error) {
        crashed = true;
        throw error;
      }
      if (answer === undefined) {
        aborted = true;
        return;
      }
      inFlight.delete(batch);
      answer.forEach((status, offset) => {
        const finalStatus = settle(status, plan);
        statuses[from + offset] = finalStatus;
        onStatus(units[from + offset]!, finalStatus);
      });
      onBatch();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(options.parallel, batchCount) }, worker));
  } finally {
    abortWatch?.dispose();
  }

  if (aborted) {
    units.forEach((_, index) => {
      if (statuses[index] !== undefined) return;
      const sent = inFlight.has(Math.floor(index / batchSize));
      statuses[index] = new WriteInterruptedError({
        outcome: sent ? "unknown" : "rejected",
        retryable: !sent || plan.idempotent,
        cause: signal?.reason,
      });
    });
    throw new WriteAbortedError(toWriteResult(units, statuses, options.keepWrittenKeys), signal?.reason);
  }
  return toWriteResult(units, statuses, options.keepWrittenKeys);
}

/**
 * A plan's send; an error of the family it throws (a connection that cannot send at all) becomes the status of
 * every key of the batch. A ConnectionClosedError (the caller closed the connection) and anything else (a bug)
 * propagate.
 */
async function sendBatch<U extends KeyUnit>(
  connection: RedisConnection,
  plan: WritePlan<U>,
  units: readonly U[],
  signal: AbortSignal | undefined,
): Promise<KeyStatus[]> {
  try {
    return await plan.send(connection, units, signal);
  } catch (error) {
    // A connection the caller closed fails the whole write (not retryable), instead of every key one by one.
    if (!PolarsRedisError.isInstance(error) || ConnectionClosedError.isInstance(error)) throw error;
    return units.map(() => error as KeyError);
  }
}

/** A lost reply of a non-idempotent write must not be retried: say so in the key's error. */
function settle<U extends KeyUnit>(status: KeyStatus, plan: WritePlan<U>): KeyStatus {
  if (typeof status === "string" || plan.idempotent) return status;
  const unknown =
    (RedisConnectionError.isInstance(status) || RedisTimeoutError.isInstance(status)) &&
    status.outcome === "unknown";
  return unknown ? new AmbiguousWriteError(status, plan.description) : status;
}

function toWriteResult<U extends KeyUnit>(
  units: readonly U[],
  statuses: readonly (KeyStatus | undefined)[],
  keepWrittenKeys: boolean,
): WriteResult {
  let written = 0;
  const skippedKeys: string[] = [];
  const writtenKeys: string[] | undefined = keepWrittenKeys ? [] : undefined;
  const errors = new Map<string, KeyError>();
  units.forEach((unit, index) => {
    const status = statuses[index]!;
    if (status === "written") {
      written++;
      writtenKeys?.push(unit.key);
    } else if (status === "skipped") {
      skippedKeys.push(unit.key);
    } else {
      errors.set(unit.key, status);
    }
  });
  return new WriteResult({ written, skippedKeys, errors, ...(writtenKeys ? { writtenKeys } : {}) });
}

/**
 * A promise that resolves (to undefined) when `signal` fires, at once if it already has; `dispose` removes the
 * listener. sendBatch turns every error of the family into statuses, so racing it against this never loses one.
 */
function watchAbort(
  signal: AbortSignal | undefined,
): { aborted: Promise<undefined>; dispose: () => void } | undefined {
  if (signal === undefined) return undefined;
  let onAbort: () => void = () => undefined;
  const aborted = new Promise<undefined>((resolve) => {
    onAbort = () => resolve(undefined);
    if (signal.aborted) resolve(undefined);
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  return { aborted, dispose: () => signal.removeEventListener("abort", onAbort) };
}
