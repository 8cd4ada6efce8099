/**
 * The hash slot of a key, as Redis Cluster computes it: core's implementation (testkit has core as a peer
 * dependency; see docs/decisions/0262-testkit-key-slot-from-core.md).
 */
export { keySlot } from "@polars-redis/core/internal";
