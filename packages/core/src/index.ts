// First, before anything loads nodejs-polars: a missing native binding fails with the fix (Node.js 20 installs).
import "./runtime/check-polars-binding.js";

export type { CheckpointStore } from "./checkpoint/checkpoint-store.js";
export * from "./connection/index.js";
export * from "./errors/index.js";
// Moving to the contract only (see internal.ts); until every importer uses @polars-redis/core/internal:
export * from "./internal.js";
export * from "./infer/index.js";
export * from "./keys/index.js";
export * from "./retry/index.js";
export * from "./scan/index.js";
export * from "./scan/json/index.js";
export * from "./scan/timeseries/index.js";
export * from "./schema/index.js";
export * from "./sink/index.js";
export * from "./validation/index.js";
