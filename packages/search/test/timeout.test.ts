import type { Command } from "@polars-redis/core";
import { connect } from "@polars-redis/core";
import { requireModules, useRedisConnection } from "@polars-redis/testkit/vitest";
import { beforeAll, describe, expect, it } from "vitest";
import { aggregate, col, countSearch, createIndex, field, searchHashes, waitForIndex } from "../src/index.js";

/**
 * RediSearch's default query timeout (500 ms) comes with ON_TIMEOUT RETURN: a slow query answers with the
 * documents found so far and no error. Found by the benchmark under load (1,099 of 1,942 rows). Every command
 * this package sends carries TIMEOUT 0 unless the caller sets timeoutMs; here the server's timeout is 1 ms, so
 * a command without it is cut short on any machine that is not extremely fast.
 */
const DOCS = 60_000;
const MATCHING = 30_060; // a in [0, 500]: 501 of every 1000

describe.runIf(requireModules("search"))("results are complete whatever the server's query timeout", () => {
  const redis = useRedisConnection({ connect, modules: ["search"] });

  beforeAll(async () => {
    // The index first: each HSET is then indexed as it is written. Created over existing keys, the index is
    // built by a background scan, which a busy machine starved past two minutes (86% of 60,000 documents).
    await createIndex(redis.conn, {
      name: "timeouts",
      prefixes: ["t:"],
      fields: [field.numeric("a", { sortable: true }), field.tag("b")],
    });
    const commands: Command[] = [];
    for (let i = 0; i < DOCS; i++) commands.push(["HSET", `t:${i}`, "a", String(i % 1000), "b", `x${i % 7}`]);
    await redis.send(commands);
    await waitForIndex(redis.conn, "timeouts", { timeoutMs: 120_000 });
    await redis.conn.call("FT.CONFIG", "SET", "TIMEOUT", "1");
  }, 180_000);

  it("counts, searches (cursor and LIMIT paging) and aggregates every matching document", async () => {
    const raw = (await redis.conn.call("FT.SEARCH", "timeouts", "@a:[0 500]", "LIMIT", "0", "0")) as number[];
    console.info(`without TIMEOUT 0 the server counted ${raw[0]} of ${MATCHING}`);
    const query = col("a").between(0, 500);
    expect(await countSearch(redis.conn, { index: "timeouts", query })).toBe(MATCHING);
    const keys = await searchHashes(redis.conn, { index: "timeouts", query, columns: [], batchSize: 20_000 });
    expect(keys.height).toBe(MATCHING);
    const sorted = await searchHashes(redis.conn, {
      index: "timeouts",
      query,
      columns: ["a"],
      schema: { a: "int64" },
      sortBy: "a",
      limit: 20_000,
      batchSize: 10_000,
    });
    expect(sorted.height).toBe(20_000);
    const counted = await aggregate(redis.conn, {
      index: "timeouts",
      query,
      groupBy: ["b"],
      reduce: [{ fn: "count", as: "n" }],
    });
    expect((counted.getColumn("n").toArray() as number[]).reduce((a, b) => a + b, 0)).toBe(MATCHING);
  });
});
