import { positiveInteger } from "./scan-options.js";

/** Elements one command reads from a set, list, sorted set or stream. */
export const DEFAULT_PAGE_SIZE = 1000;

/** Validates `pageSize`. */
export function resolvePageSize(value: unknown): number {
  return positiveInteger(value, "pageSize", DEFAULT_PAGE_SIZE, 1_000_000);
}
