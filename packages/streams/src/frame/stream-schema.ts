import { InvalidArgumentError } from "@polars-redis/core";
import type { DataType } from "nodejs-polars";

/** Field name → dtype. Fields not named keep their text (Utf8). */
export type StreamSchema = Readonly<Record<string, DataType>>;

/** The dtypes a stream field can be read as. */
const SUPPORTED = new Set([
  "Utf8",
  "String",
  "Int8",
  "Int16",
  "Int32",
  "Int64",
  "UInt8",
  "UInt16",
  "UInt32",
  "UInt64",
  "Float32",
  "Float64",
  "Bool",
  "Date",
  "Datetime",
  "Categorical",
]);

/** Rejects a schema with a dtype no field can be converted to, before anything is read. */
export function validateStreamSchema(schema: StreamSchema | undefined, argument = "schema"): void {
  if (schema === undefined) return;
  if (schema === null || typeof schema !== "object") {
    throw new InvalidArgumentError(argument, "expected an object of field name → nodejs-polars dtype");
  }
  for (const [field, dtype] of Object.entries(schema)) {
    const variant = (dtype as { variant?: unknown } | undefined)?.variant;
    if (typeof variant !== "string" || !SUPPORTED.has(variant)) {
      throw new InvalidArgumentError(
        argument,
        `field ${JSON.stringify(field)} has dtype ${String(dtype)}; supported: ${[...SUPPORTED].join(", ")}`,
      );
    }
  }
}
