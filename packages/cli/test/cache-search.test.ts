import { cacheDataFrame, cacheExists } from "@polars-redis/cache";
import { type Command, connect } from "@polars-redis/core";
import { useRedis, useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { beforeAll, describe, expect, it } from "vitest";
import { parseJson, runCli } from "./fixtures/run-cli.js";

const CITIES = ["Oslo", "Rome", "Lima"];

describe("cache and search", () => {
  const redis = useRedisConnection({ connect, modules: ["search"] });
  const run = (args: string[]) => runCli(args, { url: redis.url });

  beforeAll(async () => {
    await cacheDataFrame(
      redis.conn,
      "reports:daily",
      pl.DataFrame({ day: [1, 2, 3], total: [10.5, 20, 30] }),
      {
        ttl: 3600,
      },
    );
    await cacheDataFrame(redis.conn, "reports:weekly", pl.DataFrame({ week: [1] }), { format: "parquet" });
    const commands: Command[] = [];
    for (let i = 1; i <= 30; i++)
      commands.push(["HSET", `user:${i}`, "name", `user${i}`, "age", 20 + i, "city", CITIES[i % 3]!]);
    commands.push([
      "FT.CREATE",
      "users-idx",
      "ON",
      "HASH",
      "PREFIX",
      1,
      "user:",
      "SCHEMA",
      "name",
      "TEXT",
      "age",
      "NUMERIC",
      "SORTABLE",
      "city",
      "TAG",
    ]);
    const replies = await redis.conn.batch(commands);
    expect(replies.filter((reply) => reply instanceof Error)).toEqual([]);
    const deadline = Date.now() + 30_000;
    while (
      ((await redis.conn.call("FT.INFO", "users-idx")) as unknown[]).map(String).indexOf("indexing") >= 0
    ) {
      const info = (await redis.conn.call("FT.INFO", "users-idx")) as unknown[];
      if (String(info[info.map(String).indexOf("indexing") + 1]) === "0") break;
      if (Date.now() > deadline) throw new Error("users-idx never finished indexing");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  it("cache ls lists the entries with format, rows and TTL", async () => {
    const result = await run(["cache", "ls", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const entries = parseJson<{ key: string; format: string; rows: number; ttl: number | null }[]>(result);
    expect(entries.map((entry) => [entry.key, entry.format, entry.rows])).toEqual([
      ["reports:daily", "ipc", 3],
      ["reports:weekly", "parquet", 1],
    ]);
    expect(entries[0]!.ttl).toBeGreaterThan(3000);
    expect(entries[1]!.ttl).toBeNull();
    const prefixed = await run(["cache", "ls", "--prefix", "reports:w"]);
    expect(prefixed.stdout).toContain("reports:weekly");
    expect(prefixed.stdout).not.toContain("reports:daily");
  });

  it("cache info shows one entry's schema; a missing entry exits 4", async () => {
    const result = await run(["cache", "info", "reports:daily"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/rows: +3/);
    expect(result.stdout).toContain("day: Float64");
    expect(result.stdout).toContain("total: Float64");
    const missing = await run(["cache", "info", "reports:monthly"]);
    expect(missing.code).toBe(4);
  });

  it("cache rm deletes entries (exit 4 when one was not there)", async () => {
    const result = await run(["cache", "rm", "reports:weekly", "reports:nope", "--json"]);
    expect(result.code).toBe(4);
    expect(parseJson(result)).toEqual({ deleted: ["reports:weekly"], missing: ["reports:nope"] });
    expect(await cacheExists(redis.conn, "reports:weekly")).toBe(false);
    expect(await cacheExists(redis.conn, "reports:daily")).toBe(true);
  });

  it("search indexes lists the indexes, and one index's fields", async () => {
    const all = await run(["search", "indexes", "--json"]);
    expect(all.code, all.stderr).toBe(0);
    const indexes = parseJson<{ name: string; numDocs: number; prefixes: string[] }[]>(all);
    expect(indexes).toEqual([
      expect.objectContaining({ name: "users-idx", numDocs: 30, prefixes: ["user:"] }),
    ]);
    const one = await run(["search", "indexes", "users-idx"]);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toMatch(/age +age +NUMERIC +yes/i);
    expect(one.stdout).toMatch(/city +city +TAG +no/i);
  });

  it("search query returns the matching documents, sorted and limited", async () => {
    const expected = Array.from({ length: 30 }, (_, i) => i + 1)
      .filter((i) => CITIES[i % 3] === "Oslo" && 20 + i >= 35)
      .map((i) => 20 + i)
      .sort((a, b) => b - a);
    const result = await run([
      "search",
      "query",
      "users-idx",
      "@city:{Oslo} @age:[35 +inf]",
      "--columns",
      "name,age",
      "--sort-by",
      "age:desc",
      "--format",
      "ndjson",
    ]);
    expect(result.code, result.stderr).toBe(0);
    const rows = result.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { _key: string; age: string });
    expect(rows.map((row) => Number(row.age))).toEqual(expected);
    const limited = await run(["search", "query", "users-idx", "*", "--limit", "4", "--format", "csv"]);
    expect(limited.code, limited.stderr).toBe(0);
    expect(limited.stdout.trim().split("\n")).toHaveLength(5);
  });

  it("search explain prints the server's plan; an unknown index exits 4", async () => {
    const result = await run(["search", "explain", "users-idx", "@city:{Oslo} @age:[35 +inf]", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const plan = parseJson<{ plan: string }>(result).plan;
    expect(plan).toContain("TAG:@city");
    expect(plan).toContain("NUMERIC {35");
    const missing = await run(["search", "explain", "nope-idx", "*"]);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('no index "nope-idx"');
  });

  describe("on a server without RediSearch", () => {
    const plain = useRedis();
    it("search indexes says so and exits 6", async () => {
      const result = await runCli(["search", "indexes"], { url: plain.url });
      expect(result.code).toBe(6);
      expect(result.stderr).toContain("no RediSearch");
    });
  });
});
