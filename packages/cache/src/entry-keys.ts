import { InvalidArgumentError } from "@polars-redis/core";

/**
 * The Redis keys of one cache entry. Every key shares the head key's hash slot, so a cluster keeps the whole
 * entry on one node and the publish script may touch all of them:
 *
 * - `head`: the user's key, a small hash (format, size, generation, ...), flipped last by the publish script;
 * - `chunk(gen, i)`: the payload's slices, strings named after the generation that wrote them;
 * - `lock`: the `cached()` computation lock.
 *
 * A key with a hash tag (`user:{42}:report`) keeps it: chunks are `user:{42}:report:~<gen>:<i>`. A key without
 * one is wrapped: `report` → `{report}:~<gen>:<i>`, whose tag is the whole key, the same bytes Redis hashes for
 * `report` itself.
 */
export interface EntryKeys {
  readonly head: string;
  /** The prefix of every chunk key: `<tagged key>:~`. Stored in the head so a script can name old chunks. */
  readonly base: string;
  readonly lock: string;
  chunk(generation: string, index: number): string;
}

export function entryKeys(key: string): EntryKeys {
  checkKey(key);
  const base = `${hasHashTag(key) ? key : `{${key}}`}:~`;
  return {
    head: key,
    base,
    lock: `${base}lock`,
    chunk: (generation, index) => `${base}${generation}:${index}`,
  };
}

/** Redis's rule: the bytes between the first "{" and the next "}" are the tag, when there are any. */
export function hasHashTag(key: string): boolean {
  const open = key.indexOf("{");
  if (open < 0) return false;
  const close = key.indexOf("}", open + 1);
  return close > open + 1;
}

export function checkKey(key: unknown, argument = "key"): asserts key is string {
  if (typeof key !== "string" || key.length === 0) {
    throw new InvalidArgumentError(argument, `expected a non-empty string, got ${describe(key)}`);
  }
  // Without a tag, the chunks are named "{key}:~...": their tag runs to the first "}", which must be ours.
  if (!hasHashTag(key) && key.includes("}")) {
    throw new InvalidArgumentError(
      argument,
      `${JSON.stringify(key)} contains "}" but no hash tag, so its chunks could not share its cluster slot; ` +
        'remove the "}" or give the key a tag, e.g. "{report}:2024"',
    );
  }
}

export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "object") return `an object (${value.constructor?.name ?? "Object"})`;
  return `${typeof value} ${String(value)}`;
}
