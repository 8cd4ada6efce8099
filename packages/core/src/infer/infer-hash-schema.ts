import type { RedisConnection } from "../connection/redis-connection.js";
import { chooseTextType } from "./choose-type.js";
import { inferSchema, type SampleReader } from "./infer-schema.js";
import type { InferredSchema } from "./inferred-schema.js";
import type { InferSchemaOptions } from "./plan-sampling.js";

/** HGETALL per sampled hash; every value is text. */
const HASH_SAMPLES: SampleReader = {
  keyType: "hash",
  command: (key) => ["HGETALL", key],
  observe(reply, fieldStats) {
    if (!Array.isArray(reply) || reply.length === 0) return false; // deleted since SCAN: not a sample
    for (let index = 0; index + 1 < reply.length; index += 2) {
      fieldStats(String(reply[index])).observeText(String(reply[index + 1]));
    }
    return true;
  },
  choose: chooseTextType,
};

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
  return inferSchema(conn, options, HASH_SAMPLES);
}
