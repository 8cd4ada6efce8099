import { randomBytes } from "node:crypto";

let counter = 0;
const processTag = `${process.pid.toString(36)}${randomBytes(3).toString("hex")}`;

/**
 * A key prefix no other test (in this process or another) uses: `<label>:<process tag>-<counter>:`. Tests that
 * share a server keep their keys apart with it, and can delete or scan exactly their own keys (`prefix*`).
 */
export function uniqueKeyPrefix(label = "test"): string {
  counter++;
  return `${label}:${processTag}-${counter.toString(36)}:`;
}

/** A stream key no other test uses: `<label>:<process tag>-<counter>`. */
export function uniqueStreamName(label = "stream"): string {
  return uniqueKeyPrefix(label).slice(0, -1);
}
