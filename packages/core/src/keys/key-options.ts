import { InvalidArgumentError } from "../errors/invalid-argument-error.js";

/** Options every key utility takes. */
export interface KeyCommandOptions {
  /** Keys handed to the connection per `batch` call; bounds the commands and replies held at once. [1000] */
  batchSize?: number;
  /** Stops before the next round trip once aborted (the function rejects with an AbortedError). */
  signal?: AbortSignal;
}

/** Options of the utilities that take their keys from a KeySource. */
export interface KeySourceOptions extends KeyCommandOptions {
  /** The key column when the keys come from a DataFrame. ["_key"] */
  keyColumn?: string;
}

export const DEFAULT_KEY_BATCH_SIZE = 1000;

export function checkBatchSize(batchSize: number | undefined): number {
  return checkInteger("batchSize", batchSize, DEFAULT_KEY_BATCH_SIZE, 1);
}

/** `value` when it is an integer >= `minimum`, `fallback` when undefined; an InvalidArgumentError otherwise. */
export function checkInteger(
  argument: string,
  value: number | undefined,
  fallback: number,
  minimum: number,
): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < minimum) {
    throw new InvalidArgumentError(argument, `expected an integer >= ${minimum}, got ${String(value)}`);
  }
  return value;
}
