import { isCommandError } from "../connection/is-command-error.js";
import type { RedisConnection } from "../connection/redis-connection.js";
import { parseJsonText } from "../scan/json/parse-json-text.js";
import { chooseJsonType } from "./choose-type.js";
import { FieldStats } from "./field-stats.js";
import { type InferSchemaOptions, planSampling } from "./infer-hash-schema.js";
import { buildInferredSchema, type InferredSchema } from "./inferred-schema.js";
import { sampleKeys } from "./sample-keys.js";

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
  const plan = planSampling(options);
  const keys = plan.keys ?? (await sampleKeys(conn, { ...plan.scan, type: "ReJSON-RL" }));
  const observed = new Map<string, FieldStats>();
  let sampleCount = 0;
  for (let start = 0; start < keys.length; start += plan.batchSize) {
    const chunk = keys.slice(start, start + plan.batchSize);
    const replies = await conn.batch(
      chunk.map((key) => ["JSON.GET", key, "$"] as const),
      { signal: options.signal },
    );
    for (const reply of replies) {
      if (isCommandError(reply)) throw reply;
      if (reply === null) continue; // deleted since SCAN: not a sample
      sampleCount++;
      // JSON.GET with a JSONPath answers an array of matches; `$` has exactly one, the document.
      const matches = parseJsonText(String(reply));
      const document = Array.isArray(matches) ? matches[0] : undefined;
      if (document === null || typeof document !== "object" || Array.isArray(document)) continue;
      for (const [name, value] of Object.entries(document as Record<string, unknown>)) {
        let stats = observed.get(name);
        if (stats === undefined) {
          stats = new FieldStats();
          observed.set(name, stats);
        }
        stats.observeJson(value);
      }
    }
  }
  return buildInferredSchema(observed, sampleCount, chooseJsonType, plan.overwrite);
}
