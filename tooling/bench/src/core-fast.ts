// The fast path is not exported from @polars-redis/core yet (the lead wires it into readHashes), so the harness
// loads it from core's build output, next to core's entry point. Types come from the same files.
import type * as FastPath from "../../../packages/core/dist/fast/index.js";

export type { FastHashField } from "../../../packages/core/dist/fast/index.js";

export const fastPath: typeof FastPath = await import(
  new URL("./fast/index.js", import.meta.resolve("@polars-redis/core")).href
);
