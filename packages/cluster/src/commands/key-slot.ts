// One slot function for the whole project: core's, which matches Redis's keyHashSlot (tested against CLUSTER
// KEYSLOT in core and in this package's key-slot.test.ts).
export { keySlot } from "@polars-redis/core/internal";
