import { connect } from "@polars-redis/core";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import { beforeAll, describe, expect, it } from "vitest";
import { createGlobMatcher } from "../src/scan/glob-match.js";

// The matcher filters keys read with CLUSTER GETKEYSINSLOT; it must agree with SCAN MATCH exactly.
const redis = useRedisConnection({ connect });

const KEYS = [
  "user:1",
  "user:12",
  "user:abc",
  "user:",
  "users",
  "a*b",
  "a?b",
  "a[b",
  "a\\b",
  "ab",
  "aXb",
  "a-b",
  "hello",
  "hallo",
  "hxllo",
  "héllo",
  "{tag}:x",
  "{tag}:y:z",
  "x]y",
  "caret^",
  "",
];

const PATTERNS = [
  "*",
  "user:*",
  "user:?",
  "user:??",
  "h[ae]llo",
  "h[^e]llo",
  "h[a-b]llo",
  "h[b-a]llo",
  "a\\*b",
  "a\\?b",
  "a[\\[]b",
  "a?b",
  "*b",
  "**b",
  "a*",
  "{tag}:*",
  "{tag}:*:z",
  "x]y",
  "x[]]y",
  "h?llo",
  "h??llo",
  "*[",
  "a[",
  "caret[\\^]",
  "user:[0-9]*",
  "*:*:*",
];

beforeAll(async () => {
  await redis.conn.batch(KEYS.filter((key) => key !== "").map((key) => ["SET", key, "1"] as const));
});

async function serverMatches(pattern: string): Promise<string[]> {
  const found: string[] = [];
  for await (const page of redis.conn.scanKeys({ pattern, count: 1000 })) found.push(...page);
  return found.sort();
}

describe("createGlobMatcher", () => {
  it.each(PATTERNS)("selects the same keys as SCAN MATCH %s", async (pattern) => {
    const matches = createGlobMatcher(pattern);
    const local = KEYS.filter((key) => key !== "" && matches(key)).sort();
    expect(local).toEqual(await serverMatches(pattern));
  });
});
