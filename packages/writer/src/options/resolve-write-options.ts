import { InvalidArgumentError, type ResolvedRetryPolicy, resolveRetryPolicy } from "@polars-redis/core";
import type { IfExists, WriteOptions, WriteProgress } from "./write-options.js";

const DEFAULT_BATCH_SIZE = 1000;
const DEFAULT_PARALLEL = 2;
const MODES: readonly IfExists[] = ["replace", "append", "fail"];

export interface ResolvedWriteOptions {
  ifExists: IfExists;
  batchSize: number;
  parallel: number;
  retry: ResolvedRetryPolicy;
  keepWrittenKeys: boolean;
  signal: AbortSignal | undefined;
  onProgress: ((progress: WriteProgress) => void) | undefined;
}

/** Validates the options every writer shares; bad values fail before anything is written. */
export function resolveWriteOptions(
  options: WriteOptions,
  defaults: { ifExists: IfExists; modes?: readonly IfExists[] },
): ResolvedWriteOptions {
  if (options === null || typeof options !== "object") {
    throw new InvalidArgumentError("options", "expected an options object");
  }
  const ifExists = options.ifExists ?? defaults.ifExists;
  const modes = defaults.modes ?? MODES;
  if (!modes.includes(ifExists)) {
    throw new InvalidArgumentError(
      "ifExists",
      `must be ${modes.map((mode) => JSON.stringify(mode)).join(" or ")} here, got ${JSON.stringify(ifExists)}`,
    );
  }
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InvalidArgumentError("batchSize", `must be an integer >= 1, got ${String(batchSize)}`);
  }
  const parallel = options.parallel ?? DEFAULT_PARALLEL;
  if (!Number.isInteger(parallel) || parallel < 1) {
    throw new InvalidArgumentError("parallel", `must be an integer >= 1, got ${String(parallel)}`);
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== "function") {
    throw new InvalidArgumentError("onProgress", "expected a function");
  }
  return {
    ifExists,
    batchSize,
    parallel,
    retry: resolveRetryPolicy(options.retry),
    keepWrittenKeys: options.keepWrittenKeys ?? false,
    signal: options.signal,
    onProgress: options.onProgress,
  };
}
