import { useRedisConnection } from "@polars-redis/testkit/vitest";
import { describe, expect, it } from "vitest";
import { connect } from "../src/index.js";
import { LuaScript } from "../src/internal.js";

describe("LuaScript", () => {
  const redis = useRedisConnection({ connect });

  const script = new LuaScript("return {KEYS[1], ARGV[1], redis.call('INCR', KEYS[1])}");

  it("runs by SHA and falls back to the source when the server answers NOSCRIPT", async () => {
    await redis.conn.call("SCRIPT", "FLUSH");
    expect(await redis.conn.call("SCRIPT", "EXISTS", script.sha)).toEqual([0]);
    expect(await script.run(redis.conn, ["lua:counter"], ["a"])).toEqual(["lua:counter", "a", 1]);
    expect(await redis.conn.call("SCRIPT", "EXISTS", script.sha)).toEqual([1]);
    expect(await script.run(redis.conn, ["lua:counter"], ["b"])).toEqual(["lua:counter", "b", 2]);
  });

  it("passes other script errors through", async () => {
    const failing = new LuaScript("return redis.error_reply('MYERR nope')");
    await expect(failing.run(redis.conn, [], [])).rejects.toThrow(/nope/);
  });

  it("finds a script's source by its SHA1", () => {
    expect(script.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(LuaScript.sourceOf(script.sha)).toBe(script.source);
    expect(LuaScript.sourceOf("0".repeat(40))).toBeUndefined();
  });
});
