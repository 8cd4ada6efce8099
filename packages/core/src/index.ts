export type { CheckpointStore } from "./checkpoint/checkpoint-store.js";
export * from "./connection/index.js";
export * from "./errors/index.js";
export * from "./keys/index.js";
export * from "./sink/index.js";
