import type { CheckpointStore } from "@polars-redis/core";
import { requireKey } from "../internal/validate.js";

/** Positions kept in this process only: for tests, and for readers that may start over after a restart. */
export function createMemoryCheckpointStore(initial: Readonly<Record<string, string>> = {}): CheckpointStore {
  const positions = new Map(Object.entries(initial));
  return {
    async get(name) {
      return positions.get(requireKey("name", name));
    },
    async set(name, position) {
      positions.set(requireKey("name", name), requireKey("position", position));
    },
    async delete(name) {
      positions.delete(requireKey("name", name));
    },
  };
}
