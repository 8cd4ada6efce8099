import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import { checkConnection } from "../validation/check-arguments.js";
import { checkOptions } from "../validation/check-options.js";
import { optionNames } from "../validation/option-names.js";
import type { DeleteKeysOptions } from "./delete-keys.js";
import type { DeleteKeysMatchingOptions } from "./delete-keys-matching.js";
import type { KeyInfoOptions } from "./key-info.js";
import type { RenameKeysOptions } from "./rename-keys.js";
import type { SetTtlOptions } from "./set-ttl.js";
import type { TtlKeysOptions } from "./ttl-keys.js";

/** Options every key utility takes. */
export interface KeyCommandOptions {
  /** Keys handed to the connection per `batch` call; bounds the commands and replies held at once. [1000] */
  batchSize?: number | undefined;
  /** Stops before the next round trip once aborted (the function rejects with an AbortedError). */
  signal?: AbortSignal | undefined;
}

/** Options of the utilities that take their keys from a KeySource. */
export interface KeySourceOptions extends KeyCommandOptions {
  /** The key column when the keys come from a DataFrame. ["_key"] */
  keyColumn?: string | undefined;
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

/** Each key utility's option names, kept complete by the compiler (see optionNames). */
const KEY_UTILITY_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  deleteKeys: optionNames<DeleteKeysOptions>()(["batchSize", "signal", "keyColumn", "method"]),
  deleteKeysMatching: optionNames<DeleteKeysMatchingOptions>()([
    "batchSize",
    "signal",
    "type",
    "dryRun",
    "sampleSize",
    "countHint",
    "method",
    "maxErrors",
    "onProgress",
  ]),
  existsKeys: optionNames<KeySourceOptions>()(["batchSize", "signal", "keyColumn"]),
  persistKeys: optionNames<KeySourceOptions>()(["batchSize", "signal", "keyColumn"]),
  ttlKeys: optionNames<TtlKeysOptions>()(["batchSize", "signal", "keyColumn", "unit"]),
  setTtl: optionNames<SetTtlOptions>()(["batchSize", "signal", "keyColumn", "unit", "condition"]),
  renameKeys: optionNames<RenameKeysOptions>()([
    "batchSize",
    "signal",
    "overwrite",
    "fromColumn",
    "toColumn",
  ]),
  keyInfo: optionNames<KeyInfoOptions>()([
    "batchSize",
    "signal",
    "pattern",
    "keys",
    "keyColumn",
    "type",
    "includeMemory",
    "countHint",
  ]),
};

/**
 * A key utility's argument checks, before anything is sent: a RedisConnection first (hints for swapped
 * arguments and raw clients), known option keys only (with "did you mean"), an AbortSignal as `signal`.
 */
export function checkKeyCall(name: string, conn: unknown, options: unknown): void {
  checkConnection(conn, { function: name });
  checkOptions(
    options as object | undefined,
    KEY_UTILITY_OPTIONS[name === "scanKeyInfo" ? "keyInfo" : name] ?? [],
    {
      function: name,
    },
  );
  const signal = (options as { signal?: unknown } | undefined)?.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new InvalidArgumentError("signal", "expected an AbortSignal");
  }
}
