import { useRedisConnection } from "@polars-redis/testkit/vitest";
import { describe, expect, it } from "vitest";
import { connect } from "../src/index.js";
import { keySlot } from "../src/internal.js";

// CLUSTER KEYSLOT answers on any cluster-enabled server, even one that serves no slot.
const redis = useRedisConnection({
  connect,
  args: ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"],
});

const KEYS: (string | Buffer)[] = [
  "",
  "a",
  "user:1000",
  "{user1000}.following",
  "{user1000}.followers",
  "foo{}{bar}",
  "foo{{bar}}zap",
  "foo{bar}{zap}",
  "{}",
  "}{",
  "{",
  "héllo{wörld}",
  "日本語のキー",
  "emoji😀{tag😀}",
  "ünï{ascii-tag}",
  Buffer.from([0xff, 0x00, 0x7b, 0x01, 0x7d, 0xfe]),
  Buffer.from([0x7b, 0x7d, 0x80]),
  ...Array.from({ length: 300 }, (_, i) => `k:${i}:${(i * 7919).toString(36)}`),
];

describe("keySlot", () => {
  it("agrees with the server's CLUSTER KEYSLOT for plain keys, hash tags, non-ASCII and binary keys", async () => {
    const replies = await redis.conn.batch(KEYS.map((key) => ["CLUSTER", "KEYSLOT", key] as const));
    KEYS.forEach((key, i) => {
      expect(keySlot(key), String(key)).toBe(replies[i]);
    });
  });

  it("hashes numbers as their decimal text", () => {
    expect(keySlot(12345)).toBe(keySlot("12345"));
  });
});
