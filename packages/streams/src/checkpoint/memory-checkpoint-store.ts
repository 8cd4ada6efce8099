import { type CheckpointStore, InvalidArgumentError } from "@polars-redis/core";
import { describeValue } from "@polars-redis/core/internal";
import { requireKey } from "../internal/validate.js";

/** Positions kept in this process only: for tests, and for readers that may start over after a restart. */
export function createMemoryCheckpointStore(initial: Readonly<Record<string, string>> = {}): CheckpointStore {
  if (initial === null || typeof initial !== "object" || Array.isArray(initial)) {
    throw new InvalidArgumentError(
      "initial",
      `createMemoryCheckpointStore expected an object of name -> position, got ${describeValue(initial)}`,
    );
  }
  for (const [name, position] of Object.entries(initial)) requireKey(`initial.${name}`, position);
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
