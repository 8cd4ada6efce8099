import { randomBytes } from "node:crypto";

/** The hash tag Redis Cluster hashes for `key`: the text between the first "{" and the next "}", if not empty. */
export function hashTagOf(key: string): string | undefined {
  const open = key.indexOf("{");
  if (open < 0) return undefined;
  const close = key.indexOf("}", open + 1);
  if (close < 0 || close === open + 1) return undefined;
  return key.slice(open + 1, close);
}

/**
 * A fresh, unique key for staging a large value before publishing it onto `key` with RENAME. On a cluster it
 * must live in the same slot as `key`; undefined when no such name exists (a key without a hash tag that
 * contains "}" cannot be wrapped in a tag of its own).
 */
export function stagingKeyFor(key: string, cluster: boolean): string | undefined {
  const unique = `polars-redis:staging:${randomBytes(8).toString("hex")}`;
  const tag = hashTagOf(key) ?? (key.includes("}") ? undefined : key);
  if (tag === undefined) return cluster ? undefined : unique;
  return `{${tag}}:${unique}`;
}

/**
 * The key where a stream remembers the row ids it has added (see writeStreams `rowIds`), in the stream's slot;
 * undefined on a cluster for a key without a hash tag that contains "}".
 */
export function seenKeyFor(key: string, cluster: boolean): string | undefined {
  const tag = hashTagOf(key) ?? (key.includes("}") ? undefined : key);
  if (tag === undefined) return cluster ? undefined : `polars-redis:seen:${key}`;
  return `{${tag}}:polars-redis:seen:${key}`;
}
