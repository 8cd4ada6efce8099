import { isCommandError } from "../connection/is-command-error.js";
import type { RedisConnection } from "../connection/redis-connection.js";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import { type KeySource, resolveKeys } from "../keys/key-source.js";
import type { SchemaInput } from "../schema/schema.js";
import { chooseTextType } from "./choose-type.js";
import { FieldStats } from "./field-stats.js";
import {
  buildInferredSchema,
  checkSampleSize,
  type InferredSchema,
  resolveOverwrite,
} from "./inferred-schema.js";
import { type SamplingMethod, sampleKeys } from "./sample-keys.js";

export interface InferSchemaOptions {
  /** SCAN pattern of the keys to sample (only keys of the right type are considered). ["*"] */
  pattern?: string;
  /** Sample exactly these keys instead of scanning. */
  keys?: KeySource;
  /** Keys to sample. [100] */
  sampleSize?: number;
  /** "first": the first keys SCAN finds (fast); "reservoir": a uniform sample over all matching keys. ["first"] */
  sampling?: SamplingMethod;
  /** Fields whose dtype you already know: they replace the inferred type, and are added if never seen. */
  overwrite?: SchemaInput;
  /** Keys per pipelined round trip while reading the sample. [100] */
  batchSize?: number;
  signal?: AbortSignal;
}

/**
 * Infers a schema for `scanHashes`/`readHashes` from a sample of hashes: HGETALL pipelined over the sampled
 * keys, then for each field the narrowest type that every sampled value fits (see `chooseTextType`), with a
 * confidence report per field.
 *
 * ```ts
 * const inferred = await inferHashSchema(conn, { pattern: "user:*", overwrite: { zip: pl.Utf8 } });
 * console.log(inferred.lowConfidenceFields());
 * const users = await readHashes(conn, { pattern: "user:*", schema: inferred.schema });
 * ```
 */
export async function inferHashSchema(
  conn: RedisConnection,
  options: InferSchemaOptions = {},
): Promise<InferredSchema> {
  const plan = planSampling(options);
  const keys = plan.keys ?? (await sampleKeys(conn, { ...plan.scan, type: "hash" }));
  const observed = new Map<string, FieldStats>();
  let sampleCount = 0;
  for (let start = 0; start < keys.length; start += plan.batchSize) {
    const chunk = keys.slice(start, start + plan.batchSize);
    const replies = await conn.batch(
      chunk.map((key) => ["HGETALL", key] as const),
      { signal: options.signal },
    );
    for (const reply of replies) {
      if (isCommandError(reply)) throw reply;
      if (!Array.isArray(reply) || reply.length === 0) continue; // deleted since SCAN: not a sample
      sampleCount++;
      for (let index = 0; index + 1 < reply.length; index += 2) {
        const name = String(reply[index]);
        let stats = observed.get(name);
        if (stats === undefined) {
          stats = new FieldStats();
          observed.set(name, stats);
        }
        stats.observeText(String(reply[index + 1]));
      }
    }
  }
  return buildInferredSchema(observed, sampleCount, chooseTextType, plan.overwrite);
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
