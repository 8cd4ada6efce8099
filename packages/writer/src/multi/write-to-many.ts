import { InvalidArgumentError, type WriteResult } from "@polars-redis/core";
import { checkConnection, checkDataFrame, checkOptions, optionNames } from "@polars-redis/core/internal";
import type { DataFrame } from "nodejs-polars";
import { WriteAbortedError } from "../errors/write-aborted-error.js";
import { writeHashes } from "../writers/write-hashes.js";
import type { Destination, DestinationResult, DestinationStatus, DestinationWriter } from "./destination.js";
import { MultiWriteResult } from "./multi-write-result.js";

const DEFAULT_TIMEOUT_MS = 30_000;
/** After a timeout, how long a writer may take to hand over its partial result before it is given up on. */
const SETTLE_GRACE_MS = 250;

export interface WriteToManyOptions {
  /** Stops every destination; each reports what it had confirmed. */
  signal?: AbortSignal | undefined;
}

const defaultWriter: DestinationWriter = (connection, frame, { signal }) =>
  writeHashes(connection, frame, { signal, keepWrittenKeys: true });

/**
 * Writes one frame to several destinations (clusters, databases) at once. Each destination gets the rows its
 * `filter` selects, reshaped by its `transform`, written by its `write` under its own `timeoutMs`. The
 * destinations run concurrently and independently: a dead or slow destination times out alone while the
 * others complete. The result names, per destination, what was written and which keys to retry.
 *
 * Filters and transforms run for every destination before anything is written, so an error there (a missing
 * column, a bug in a transform) rejects the call with nothing written. An empty destination list, a repeated
 * name or a bad timeout is an InvalidArgumentError.
 */
export async function writeToMany(
  frame: DataFrame,
  destinations: readonly Destination[],
  options: WriteToManyOptions = {},
): Promise<MultiWriteResult> {
  checkDataFrame(frame, { function: "writeToMany", usage: USAGE });
  validateDestinations(destinations);
  checkOptions(options, optionNames<WriteToManyOptions>()(["signal"]), { function: "writeToMany" });
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new InvalidArgumentError("signal", "expected an AbortSignal");
  }
  const frames: DataFrame[] = [];
  for (const [index, destination] of destinations.entries()) {
    frames.push(await destinationFrame(frame, destination, index));
  }
  const results = await Promise.all(
    destinations.map((destination, index) => runDestination(destination, frames[index]!, options.signal)),
  );
  return new MultiWriteResult(results);
}

const USAGE = 'await writeToMany(frame, [{ name: "a", connection }, { name: "b", connection: other }])';
const DESTINATION_OPTIONS = optionNames<Destination>()([
  "name",
  "connection",
  "filter",
  "transform",
  "write",
  "timeoutMs",
]);

function validateDestinations(destinations: readonly Destination[]): void {
  if (!Array.isArray(destinations) || destinations.length === 0) {
    throw new InvalidArgumentError(
      "destinations",
      `expected a non-empty array of destinations (usage: ${USAGE})`,
    );
  }
  const names = new Set<string>();
  destinations.forEach((destination, index) => {
    const where = `destinations[${index}]`;
    if (destination === null || typeof destination !== "object") {
      throw new InvalidArgumentError(where, "expected a destination object");
    }
    checkOptions(destination, DESTINATION_OPTIONS, { function: "writeToMany", argument: where });
    if (typeof destination.name !== "string" || destination.name === "") {
      throw new InvalidArgumentError(`${where}.name`, "expected a non-empty name");
    }
    if (names.has(destination.name)) {
      throw new InvalidArgumentError(`${where}.name`, `${JSON.stringify(destination.name)} is used twice`);
    }
    names.add(destination.name);
    checkConnection(destination.connection, { function: "writeToMany", argument: `${where}.connection` });
    if (destination.filter !== undefined && !isExpr(destination.filter)) {
      throw new InvalidArgumentError(
        `${where}.filter`,
        'expected a Polars expression, e.g. pl.col("region").eq(pl.lit("eu"))',
      );
    }
    const timeout = destination.timeoutMs;
    if (timeout !== undefined && (!Number.isFinite(timeout) || timeout <= 0)) {
      throw new InvalidArgumentError(
        `${where}.timeoutMs`,
        `must be a positive number, got ${String(timeout)}`,
      );
    }
    for (const hook of ["transform", "write"] as const) {
      if (destination[hook] !== undefined && typeof destination[hook] !== "function") {
        throw new InvalidArgumentError(`${where}.${hook}`, "expected a function");
      }
    }
  });
}

async function destinationFrame(
  frame: DataFrame,
  destination: Destination,
  index: number,
): Promise<DataFrame> {
  let rows = frame;
  if (destination.filter !== undefined) {
    try {
      rows = frame.filter(destination.filter);
    } catch (error) {
      throw new InvalidArgumentError(
        `destinations[${index}].filter`,
        `cannot filter the frame for ${JSON.stringify(destination.name)}: ${(error as Error).message}`,
        error,
      );
    }
  }
  if (destination.transform === undefined) return rows;
  const transformed = await destination.transform(rows);
  if (!isDataFrame(transformed)) {
    throw new InvalidArgumentError(
      `destinations[${index}].transform`,
      `must return a DataFrame for ${JSON.stringify(destination.name)}`,
    );
  }
  return transformed;
}

async function runDestination(
  destination: Destination,
  frame: DataFrame,
  callerSignal: AbortSignal | undefined,
): Promise<DestinationResult> {
  const startedAt = performance.now();
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`destination ${JSON.stringify(destination.name)} timed out`));
  }, destination.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const onCallerAbort = (): void => controller.abort(callerSignal?.reason);
  callerSignal?.addEventListener("abort", onCallerAbort, { once: true });
  if (callerSignal?.aborted) onCallerAbort();

  const write = destination.write ?? defaultWriter;
  let result: WriteResult | undefined;
  let error: unknown;
  try {
    const writing = Promise.resolve().then(() =>
      write(destination.connection, frame, { signal: controller.signal, destination: destination.name }),
    );
    result = await untilSettledOrAbandoned(writing, controller.signal);
  } catch (caught) {
    error = caught;
    if (WriteAbortedError.isInstance(caught)) result = caught.result;
  } finally {
    clearTimeout(timer);
    callerSignal?.removeEventListener("abort", onCallerAbort);
  }

  let status: DestinationStatus;
  if (controller.signal.aborted && (error !== undefined || result === undefined))
    status = timedOut ? "timed-out" : "aborted";
  else if (error !== undefined) status = "failed";
  else status = result!.isCompleteSuccess() ? "succeeded" : "partial";

  return {
    name: destination.name,
    status,
    rows: frame.height,
    frame,
    result,
    error,
    durationMs: performance.now() - startedAt,
    retryableKeys: () => result?.retryableKeys(),
  };
}

const ABANDONED = Symbol("abandoned");

/**
 * The write's outcome; once `signal` fires, the write gets a short grace to reject with its partial result
 * (the library's writers do so at once) before it is abandoned, so a writer that ignores the signal cannot
 * hold the other destinations' answer hostage.
 */
async function untilSettledOrAbandoned(
  writing: Promise<WriteResult>,
  signal: AbortSignal,
): Promise<WriteResult> {
  writing.catch(() => undefined);
  const abandoned = new Promise<typeof ABANDONED>((resolve) => {
    const giveUp = (): void => {
      setTimeout(() => resolve(ABANDONED), SETTLE_GRACE_MS).unref?.();
    };
    if (signal.aborted) giveUp();
    else signal.addEventListener("abort", giveUp, { once: true });
  });
  const outcome = await Promise.race([writing, abandoned]);
  if (outcome === ABANDONED) throw signal.reason;
  return outcome;
}

/** nodejs-polars exposes DataFrame as a factory, not a class: recognise a frame by its shape. */
function isDataFrame(value: unknown): value is DataFrame {
  const candidate = value as DataFrame | null;
  return (
    candidate != null &&
    typeof candidate === "object" &&
    typeof candidate.height === "number" &&
    typeof candidate.getColumn === "function"
  );
}

function isExpr(value: unknown): boolean {
  return (
    value != null && typeof value === "object" && typeof (value as { _expr?: unknown })._expr === "object"
  );
}
