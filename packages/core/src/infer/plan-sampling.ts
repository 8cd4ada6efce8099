import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import { type KeySource, resolveKeys } from "../keys/key-source.js";
import type { SchemaInput } from "../schema/schema.js";
import { checkSampleSize, resolveOverwrite } from "./inferred-schema.js";
import type { SamplingMethod } from "./sample-keys.js";

/** The options of inferHashSchema and inferJsonSchema. */
export interface InferSchemaOptions {
  /** SCAN pattern of the keys to sample (only keys of the right type are considered). ["*"] */
  pattern?: string | undefined;
  /** Sample exactly these keys instead of scanning. */
  keys?: KeySource | undefined;
  /** Keys to sample. [100] */
  sampleSize?: number | undefined;
  /** "first": the first keys SCAN finds (fast); "reservoir": a uniform sample over all matching keys. ["first"] */
  sampling?: SamplingMethod | undefined;
  /** Fields whose dtype you already know: they replace the inferred type, and are added if never seen. */
  overwrite?: SchemaInput | undefined;
  /** Keys per pipelined round trip while reading the sample. [100] */
  batchSize?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** Validates the options shared by both inferences, before anything is sent. */
export function planSampling(options: InferSchemaOptions) {
  const sampleSize = checkSampleSize(options.sampleSize);
  const overwrite = resolveOverwrite(options.overwrite);
  const batchSize = options.batchSize ?? 100;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InvalidArgumentError(
      "batchSize",
      `expected a positive integer, got ${String(options.batchSize)}`,
    );
  }
  const method = options.sampling ?? "first";
  if (method !== "first" && method !== "reservoir") {
    throw new InvalidArgumentError(
      "sampling",
      `expected "first" or "reservoir", got ${JSON.stringify(method)}`,
    );
  }
  const pattern = options.pattern ?? "*";
  if (typeof pattern !== "string" || pattern.length === 0) {
    throw new InvalidArgumentError("pattern", "expected a non-empty SCAN pattern");
  }
  let keys: string[] | undefined;
  if (options.keys !== undefined) {
    if (options.pattern !== undefined)
      throw new InvalidArgumentError("keys", "give either keys or pattern, not both");
    keys = resolveKeys(options.keys, "_key").slice(0, sampleSize);
  }
  return {
    keys,
    batchSize,
    overwrite,
    scan: { pattern, size: sampleSize, method, signal: options.signal },
  };
}
