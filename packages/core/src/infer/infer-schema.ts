import { isCommandError } from "../connection/is-command-error.js";
import type { Command, RedisConnection, RedisKeyType, RedisReply } from "../connection/redis-connection.js";
import { moduleNotLoadedFrom, requireModule } from "../errors/module-not-loaded-error.js";
import { checkConnection } from "../validation/check-arguments.js";
import { checkOptions } from "../validation/check-options.js";
import { optionNames } from "../validation/option-names.js";
import type { TypeChoice } from "./choose-type.js";
import { FieldStats } from "./field-stats.js";
import { buildInferredSchema, type InferredSchema } from "./inferred-schema.js";
import { type InferSchemaOptions, planSampling } from "./plan-sampling.js";
import { sampleKeys } from "./sample-keys.js";

/** What one kind of inference (hashes, JSON documents) does with each sampled key. */
export interface SampleReader {
  /** The type SCAN ... TYPE samples. */
  readonly keyType: RedisKeyType;
  /** The command that reads one sampled key. */
  command(key: string): Command;
  /**
   * Feeds one reply's fields to `fieldStats(name)`; returns false when the key is not a sample after all (it
   * was deleted since SCAN).
   */
  observe(reply: RedisReply, fieldStats: (name: string) => FieldStats): boolean;
  /** The type for a field, from its stats and the number of samples. */
  choose(stats: FieldStats, samples: number): TypeChoice;
}

/**
 * The sampling both inferences share: validate the options, pick the keys (SCAN ... TYPE or the given keys),
 * read them with pipelined commands `batchSize` at a time, collect per-field stats, and choose the types.
 */
const INFER_OPTIONS = optionNames<InferSchemaOptions>()([
  "pattern",
  "keys",
  "sampleSize",
  "sampling",
  "overwrite",
  "batchSize",
  "signal",
]);

export async function inferSchema(
  conn: RedisConnection,
  options: InferSchemaOptions,
  reader: SampleReader,
): Promise<InferredSchema> {
  const name = reader.keyType === "hash" ? "inferHashSchema" : "inferJsonSchema";
  checkConnection(conn, { function: name });
  checkOptions(options, INFER_OPTIONS, { function: name });
  const plan = planSampling(options);
  const keys = plan.keys ?? (await sampleKeys(conn, { ...plan.scan, type: reader.keyType }));
  // Without RedisJSON, SCAN ... TYPE ReJSON-RL finds nothing: report the missing module, not an empty schema.
  if (keys.length === 0 && reader.keyType === "ReJSON-RL") await requireModule(conn, "JSON.GET");
  const observed = new Map<string, FieldStats>();
  const fieldStats = (name: string): FieldStats => {
    let stats = observed.get(name);
    if (stats === undefined) {
      stats = new FieldStats();
      observed.set(name, stats);
    }
    return stats;
  };
  let sampleCount = 0;
  for (let start = 0; start < keys.length; start += plan.batchSize) {
    const chunk = keys.slice(start, start + plan.batchSize);
    const replies = await conn.batch(
      chunk.map((key) => reader.command(key)),
      { signal: options.signal },
    );
    for (const reply of replies) {
      if (isCommandError(reply)) throw moduleNotLoadedFrom(reply) ?? reply;
      if (reader.observe(reply, fieldStats)) sampleCount++;
    }
  }
  return buildInferredSchema(observed, sampleCount, reader.choose, plan.overwrite);
}
