import type { RedisConnection } from "../connection/redis-connection.js";
import { parseJsonText } from "../scan/json/parse-json-text.js";
import { chooseJsonType } from "./choose-type.js";
import { inferSchema, type SampleReader } from "./infer-schema.js";
import type { InferredSchema } from "./inferred-schema.js";
import type { InferSchemaOptions } from "./plan-sampling.js";

/** `JSON.GET key $` per sampled document; values keep their JSON kinds. */
const JSON_SAMPLES: SampleReader = {
  keyType: "ReJSON-RL",
  command: (key) => ["JSON.GET", key, "$"],
  observe(reply, fieldStats) {
    if (reply === null) return false; // deleted since SCAN: not a sample
    // JSON.GET with a JSONPath answers an array of matches; `$` has exactly one, the document.
    const matches = parseJsonText(Buffer.isBuffer(reply) ? reply.toString("utf8") : String(reply));
    const document = Array.isArray(matches) ? matches[0] : undefined;
    if (document === null || typeof document !== "object" || Array.isArray(document)) return true;
    for (const [name, value] of Object.entries(document as Record<string, unknown>)) {
      fieldStats(name).observeJson(value);
    }
    return true;
  },
  choose: chooseJsonType,
};

/**
 * Infers a schema for `scanJson`/`readJson` from a sample of RedisJSON documents: `JSON.GET key $` pipelined
 * over the sampled keys (SCAN ... TYPE ReJSON-RL), then a type per top-level field from the JSON kinds seen
 * (see `chooseJsonType`): Boolean, Int64, Float64, Date and Datetime (ISO strings), Utf8, List(...) and
 * Struct(...), with a confidence report per field. Documents whose root is not an object have no fields; they
 * count as samples in which every field is null.
 */
export async function inferJsonSchema(
  conn: RedisConnection,
  options: InferSchemaOptions = {},
): Promise<InferredSchema> {
  return inferSchema(conn, options, JSON_SAMPLES);
}
