import { connect } from "@polars-redis/core";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import { describe, expect, it } from "vitest";
import { keySlot } from "../src/index.js";

// CLUSTER KEYSLOT answers on any cluster-enabled server, even one that serves no slot.
const redis = useRedisConnection({
  connect,
  args: ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"],
});

describe("keySlot", () => {
  it("agrees with the server's CLUSTER KEYSLOT for plain keys, hash tags, non-ASCII and binary keys", async () => {
    const keys: Array<string | Buffer> = [
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
      Buffer.from([0xff, 0x00, 0x7b, 0x01, 0x7d, 0xfe]),
      Buffer.from([0x7b, 0x7d, 0x80]),
    ];
    for (let i = 0; i < 300; i++) keys.push(`k:${i}:${(i * 7919).toString(36)}`);
    const replies = await redis.conn.batch(keys.map((key) => ["CLUSTER", "KEYSLOT", key] as const));
    keys.forEach((key, i) => {
      expect(keySlot(key), String(key)).toBe(replies[i]);
    });
  });

  it("hashes numbers as their decimal text", () => {
    expect(keySlot(12345)).toBe(keySlot("12345"));
  });
});
