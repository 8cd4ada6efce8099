export { inferHashSchema } from "./infer-hash-schema.js";
export { inferJsonSchema } from "./infer-json-schema.js";
export type { FieldInference, InferredSchema } from "./inferred-schema.js";
export type { InferSchemaOptions } from "./plan-sampling.js";
export type { SamplingMethod } from "./sample-keys.js";
