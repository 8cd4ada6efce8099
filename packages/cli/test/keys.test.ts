import { type Command, connect } from "@polars-redis/core";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import { beforeAll, describe, expect, it } from "vitest";
import { parseJson, runCli } from "./fixtures/run-cli.js";

describe("keys", () => {
  const redis = useRedisConnection({ connect });
  const run = (args: string[]) => runCli(args, { url: redis.url });

  beforeAll(async () => {
    const commands: Command[] = [];
    for (let i = 0; i < 250; i++) commands.push(["SET", `session:${i}`, "x", "EX", 7200 + i * 60]);
    for (let i = 0; i < 50; i++) commands.push(["SET", `session:keep:${i}`, "x"]);
    for (let i = 0; i < 20; i++) commands.push(["HSET", `session:h:${i}`, "a", "1"]);
    for (let i = 0; i < 120; i++) commands.push(["SET", `tmp:${i}`, "x"]);
    await redis.conn.batch(commands);
  });

  it("counts the keys of a pattern, optionally of one type", async () => {
    const all = await run(["keys", "count", "session:*"]);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toBe("320\n");
    const hashes = await run(["keys", "count", "session:*", "--type", "hash", "--json"]);
    expect(parseJson(hashes)).toEqual({ pattern: "session:*", type: "hash", count: 20 });
    const none = await run(["keys", "count", "nothing:*", "--json"]);
    expect(parseJson(none).count).toBe(0);
  });

  it("summarises TTLs: keys without expiry, buckets and the soonest to expire", async () => {
    const result = await run(["keys", "ttl", "session:*", "--type", "string", "--show", "3", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const summary = parseJson<{
      keys: number;
      noExpiry: number;
      expiring: number;
      buckets: Record<string, number>;
      soonest: { key: string; ttl: number }[];
    }>(result);
    expect(summary).toMatchObject({ keys: 300, noExpiry: 50, expiring: 250 });
    expect(Object.values(summary.buckets).reduce((a, b) => a + b, 0)).toBe(250);
    // TTLs from 2 h up: none expires (or changes bucket) while the test runs, however slow the machine.
    expect(summary.buckets["< 1 day"]).toBe(250);
    expect(summary.soonest.map((entry) => entry.key)).toEqual(["session:0", "session:1", "session:2"]);
    const text = await run(["keys", "ttl", "session:*"]);
    expect(text.stdout).toMatch(/no expiry: +70/);
  });

  it("deletes only with --yes; --dry-run counts and lists a sample", async () => {
    const dry = await run(["keys", "delete", "tmp:*", "--dry-run", "--sample", "5", "--json"]);
    expect(dry.code, dry.stderr).toBe(0);
    const preview = parseJson<{ matched: number; deleted: number; sampleKeys: string[] }>(dry);
    expect(preview.matched).toBe(120);
    expect(preview.deleted).toBe(0);
    expect(preview.sampleKeys).toHaveLength(5);
    expect(await redis.conn.call("EXISTS", ...preview.sampleKeys)).toBe(5);

    const refused = await run(["keys", "delete", "tmp:*"]);
    expect(refused.code).toBe(2);
    expect(await redis.conn.call("EXISTS", "tmp:0")).toBe(1);

    const deleted = await run(["keys", "delete", "tmp:*", "--yes"]);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toMatch(/^120 keys deleted, 0 already gone, 0 failed/);
    expect(parseJson(await run(["keys", "count", "tmp:*", "--json"])).count).toBe(0);
    expect(parseJson(await run(["keys", "count", "session:*", "--json"])).count).toBe(320);
  });
});
