// @polars-redis/testkit: real servers and failure injection, free of any test runner's globals.
// Vitest helpers live at the "@polars-redis/testkit/vitest" subpath.
export * from "./data/index.js";
export * from "./fakes/index.js";
export * from "./faults/index.js";
export * from "./server/index.js";
export * from "./sink/index.js";
