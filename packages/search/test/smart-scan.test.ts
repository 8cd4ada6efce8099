import { connect, InvalidArgumentError, readHashes } from "@polars-redis/core";
import { requireModules, useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { beforeAll, describe, expect, it } from "vitest";
import {
  col,
  createIndex,
  explainScan,
  field,
  globToRegex,
  Query,
  raw,
  smartRead,
  smartScan,
  waitForIndex,
} from "../src/index.js";
import { hsets } from "./fixtures/hsets.js";

const CITIES = ["London", "Paris", "Rome", "Berlin"];
const WORDS = ["redis", "polars", "search", "stream", "cache"];
const SCHEMA = { age: "int64", city: "utf8", bio: "utf8" } as const;

const users = Array.from({ length: 300 }, (_, i) => ({
  age: (i * 37) % 90,
  city: CITIES[i % CITIES.length],
  bio: `${WORDS[i % WORDS.length]} ${WORDS[(i * 3) % WORDS.length]}`,
}));

describe.runIf(requireModules("search"))("smartScan", () => {
  const redis = useRedisConnection({ connect, modules: ["search"] });

  beforeAll(async () => {
    await redis.send(hsets("user:", users));
    await redis.send(hsets("other:", users.slice(0, 20)));
    await createIndex(redis.conn, {
      name: "users",
      prefixes: ["user:"],
      fields: [field.numeric("age"), field.tag("city")],
    });
    await waitForIndex(redis.conn, "users");
  });

  /** What SCAN + the same predicate in Polars gives, sorted by key. */
  async function bruteForce(pattern: string, filter: Query | pl.Expr | undefined) {
    const all = await readHashes(redis.conn, { pattern, schema: SCHEMA });
    const filtered =
      filter === undefined ? all : all.filter(filter instanceof Query ? filter.toPolars() : filter);
    return filtered.sort("_key");
  }

  it("pushes every predicate the index can answer: a pure search plan", async () => {
    const filter = col("age")
      .gt(30)
      .and(col("city").isIn(["London", "Rome"]));
    const plan = await explainScan(redis.conn, { pattern: "user:*", filter, schema: SCHEMA });
    expect(plan.strategy).toBe("search");
    expect(plan.index).toBe("users");
    expect(plan.pushed).toHaveLength(2);
    expect(plan.residual).toEqual([]);
    expect(plan.serverQuery?.query).toBe("@age:[($p0 +inf] @city:{$p1|$p2}");
    expect(plan.explain()).toMatch(/strategy: search \(index users\)/);
    const frame = (await smartRead(redis.conn, { pattern: "user:*", filter, schema: SCHEMA })).sort("_key");
    expect(frame.height).toBeGreaterThan(0);
    expect(frame.toRecords()).toEqual((await bruteForce("user:*", filter)).toRecords());
  });

  it("runs what the index cannot answer in Polars on each page: a hybrid plan, with reasons", async () => {
    const filter = col("age").ltEq(40).and(col("bio").contains("redis")).and(col("city").eq("Paris").not());
    const plan = await explainScan(redis.conn, { pattern: "user:*", filter, schema: SCHEMA });
    expect(plan.strategy).toBe("hybrid");
    expect(plan.pushed).toHaveLength(2);
    expect(plan.residual).toEqual([
      { predicate: '@bio:"redis"', reason: 'field "bio" is not in index users' },
    ]);
    const frame = (
      await smartRead(redis.conn, { pattern: "user:*", filter, schema: SCHEMA, columns: ["age"] })
    ).sort("_key");
    expect(frame.columns).toEqual(["_key", "age"]);
    const expected = (await bruteForce("user:*", filter)).select("_key", "age");
    expect(frame.height).toBeGreaterThan(0);
    expect(frame.toRecords()).toEqual(expected.toRecords());
  });

  it("filters keys in Polars when the pattern is narrower than the index prefix", async () => {
    const filter = col("age").gtEq(10);
    const plan = await explainScan(redis.conn, { pattern: "user:1?", filter, schema: SCHEMA });
    expect(plan.strategy).toBe("hybrid");
    expect(plan.explain()).toMatch(/key matches user:1\?/);
    const frame = (await smartRead(redis.conn, { pattern: "user:1?", filter, schema: SCHEMA })).sort("_key");
    expect(frame.toRecords()).toEqual((await bruteForce("user:1?", filter)).toRecords());
  });

  it("falls back to SCAN + Polars filter when no index covers the pattern, and says why", async () => {
    const filter = col("age").gt(50);
    const plan = await explainScan(redis.conn, { pattern: "other:*", filter, schema: SCHEMA });
    expect(plan.strategy).toBe("scan");
    expect(plan.index).toBeUndefined();
    expect(plan.reasons.join("\n")).toMatch(
      /index users: not used, it prefixes \["user:"\] do not cover pattern "other:\*"/,
    );
    const frame = (await smartRead(redis.conn, { pattern: "other:*", filter, schema: SCHEMA })).sort("_key");
    expect(frame.toRecords()).toEqual((await bruteForce("other:*", filter)).toRecords());
    const forced = await explainScan(redis.conn, {
      pattern: "user:*",
      filter,
      schema: SCHEMA,
      noIndex: true,
    });
    expect(forced.strategy).toBe("scan");
  });

  it("applies a Polars expression as written (never pushed) and honours limit after the filter", async () => {
    const filter = pl.col("age").modulo(2).eq(0);
    const plan = await explainScan(redis.conn, { pattern: "user:*", filter, schema: SCHEMA });
    expect(plan.strategy).toBe("hybrid");
    expect(plan.residual[0]?.reason).toMatch(/Polars expression/);
    const frame = (await smartRead(redis.conn, { pattern: "user:*", filter, schema: SCHEMA })).sort("_key");
    expect(frame.toRecords()).toEqual((await bruteForce("user:*", filter)).toRecords());
    const frames: pl.DataFrame[] = [];
    for await (const batch of smartScan(redis.conn, {
      pattern: "user:*",
      filter,
      schema: SCHEMA,
      limit: 7,
      batchSize: 5,
    }))
      frames.push(batch);
    expect(frames.reduce((n, f) => n + f.height, 0)).toBe(7);
  });

  it("does not use an index that failed to index documents or has a FILTER", async () => {
    await redis.send([
      ["HSET", "bad:1", "age", "12"],
      ["HSET", "bad:2", "age", "not a number"],
    ]);
    await createIndex(redis.conn, { name: "bad", prefixes: ["bad:"], fields: [field.numeric("age")] });
    await createIndex(redis.conn, {
      name: "filtered",
      prefixes: ["user:"],
      filter: "@age > 10",
      fields: [field.numeric("age")],
    });
    await waitForIndex(redis.conn, "bad");
    await waitForIndex(redis.conn, "filtered");
    const plan = await explainScan(redis.conn, {
      pattern: "bad:*",
      filter: col("age").gt(1),
      schema: { age: "utf8" },
    });
    expect(plan.strategy).toBe("scan");
    expect(plan.reasons.join("\n")).toMatch(/failed to index 1 document/);
    expect(plan.reasons.join("\n")).toMatch(/filtered: not used, it has a FILTER/);
  });

  it("refuses filters that can run nowhere, and bad options", async () => {
    await expect(
      explainScan(redis.conn, { pattern: "other:*", filter: col("bio").fuzzy("redis"), schema: SCHEMA }),
    ).rejects.toThrow(/can only run in RediSearch/);
    await expect(
      explainScan(redis.conn, { pattern: "other:*", filter: raw("@age:[1 2]"), schema: SCHEMA }),
    ).rejects.toThrow(InvalidArgumentError);
    await expect(
      explainScan(redis.conn, { pattern: "other:*", index: "users", schema: SCHEMA }),
    ).rejects.toThrow(/cannot answer for "other:\*"/);
    await expect(explainScan(redis.conn, { pattern: "", schema: SCHEMA })).rejects.toThrow(
      InvalidArgumentError,
    );
    await expect(
      explainScan(redis.conn, {
        pattern: "user:*",
        filter: col("bio").contains("redis"),
        schema: { age: "int64" },
      }),
    ).rejects.toThrow(/predicates on "bio" run in Polars, so the schema must give their dtype/);
    await expect(
      explainScan(redis.conn, { pattern: "user:*", filter: "age > 3" as never, schema: SCHEMA }),
    ).rejects.toThrow(InvalidArgumentError);
  });

  it("returns a typed empty frame when nothing matches", async () => {
    const frame = await smartRead(redis.conn, {
      pattern: "user:*",
      filter: col("age").gt(1000),
      schema: SCHEMA,
    });
    expect(frame.height).toBe(0);
    expect(frame.columns).toEqual(["_key", "age", "city", "bio"]);
    expect(frame.getColumn("age").dtype).toEqual(pl.Int64);
  });
});

describe("globToRegex", () => {
  it("translates SCAN MATCH patterns", () => {
    const matches = (pattern: string, key: string) => new RegExp(globToRegex(pattern)).test(key);
    expect(matches("user:*", "user:12")).toBe(true);
    expect(matches("user:?", "user:12")).toBe(false);
    expect(matches("user:[12]x", "user:2x")).toBe(true);
    expect(matches("user:[^12]x", "user:2x")).toBe(false);
    expect(matches("a\\*b", "a*b")).toBe(true);
    expect(matches("a\\*b", "axb")).toBe(false);
    expect(matches("a.b", "axb")).toBe(false);
  });
});
