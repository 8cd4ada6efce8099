import { connectCluster } from "@polars-redis/cluster";
import { InvalidArgumentError } from "@polars-redis/core";
import { requireModules, useClusterConnection } from "@polars-redis/testkit/vitest";
import { beforeAll, describe, expect, it } from "vitest";
import {
  aggregate,
  col,
  createIndex,
  explainScan,
  field,
  indexInfo,
  searchHashes,
  smartRead,
  waitForIndex,
} from "../src/index.js";

/**
 * RediSearch 2.6 without its coordinator on a real 6-node cluster: the index name is routed like a key, the
 * index lives on that slot's master and sees only that master's documents. The package refuses layouts
 * where that would silently lose documents, and works when index and documents share a hash tag.
 */
describe.runIf(requireModules("search"))("search on Redis Cluster (RediSearch without coordinator)", () => {
  const fixture = useClusterConnection({
    connect: (cluster) => connectCluster(cluster.seeds),
    modules: ["search"],
  });

  beforeAll(async () => {
    // Spread documents over every master: plain keys land in many slots.
    const spread = Array.from({ length: 60 }, (_, i) => ["HSET", `p:${i}`, "age", String(i)] as const);
    const pinned = Array.from(
      { length: 60 },
      (_, i) => ["HSET", `user:{u}:${i}`, "age", String(i), "city", i % 2 ? "Rome" : "Oslo"] as const,
    );
    for (const reply of await fixture.conn.batch([...spread, ...pinned]))
      if (reply instanceof Error) throw reply;
  });

  it("really does index only the index's own master (what the refusal protects against)", async () => {
    // Created by hand (FT.CREATE routed to the master of slot("spread")), bypassing createIndex's check.
    await fixture.conn.call(
      "FT.CREATE",
      "spread",
      "ON",
      "HASH",
      "PREFIX",
      "1",
      "p:",
      "SCHEMA",
      "age",
      "NUMERIC",
    );
    await waitForIndex(fixture.conn, "spread");
    const info = await indexInfo(fixture.conn, "spread");
    expect(info!.numDocs).toBeGreaterThan(0);
    expect(info!.numDocs).toBeLessThan(60);
  });

  it("refuses to create or search an index whose documents spread over masters, before sending anything", async () => {
    const error = await createIndex(fixture.conn, {
      name: "people",
      prefixes: ["p:"],
      fields: [field.numeric("age")],
    }).catch((e: unknown) => e);
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/sees only the documents stored on that master/);
    await expect(searchHashes(fixture.conn, { index: "spread" })).rejects.toThrow(/hash tag/);
    await expect(aggregate(fixture.conn, { index: "spread", groupBy: [] })).rejects.toThrow(/hash tag/);
  });

  it("searches and aggregates completely when index and documents share a hash tag", async () => {
    expect(
      await createIndex(fixture.conn, {
        name: "users{u}",
        prefixes: ["user:{u}:"],
        fields: [field.numeric("age", { sortable: true }), field.tag("city")],
      }),
    ).toBe(true);
    await waitForIndex(fixture.conn, "users{u}");
    const frame = await searchHashes(fixture.conn, {
      index: "users{u}",
      query: col("age").gtEq(50),
      schema: { age: "int64" },
      sortBy: "age",
      batchSize: 4,
    });
    expect(frame.getColumn("age").toArray()).toEqual([50, 51, 52, 53, 54, 55, 56, 57, 58, 59]);
    const byCity = await aggregate(fixture.conn, {
      index: "users{u}",
      groupBy: ["city"],
      reduce: [{ fn: "count", as: "n" }],
      sortBy: ["city"],
      batchSize: 1,
    });
    expect(byCity.toRecords()).toEqual([
      { city: "Oslo", n: 30 },
      { city: "Rome", n: 30 },
    ]);
  });

  it("FT.* commands reach the index's master through one MOVED, not a round robin of masters", async () => {
    // One redirection allowed: a client that re-sent a keyless command to "any master" after MOVED would
    // reach the wrong master again within three calls and fail.
    const strict = await connectCluster(fixture.cluster.seeds, { maxRedirections: 1 });
    try {
      for (let i = 0; i < 9; i++) {
        const before = strict.stats().moved;
        const info = await indexInfo(strict, "users{u}");
        expect(info?.name).toBe("users{u}");
        expect(strict.stats().moved - before).toBeLessThanOrEqual(1);
      }
    } finally {
      await strict.close();
    }
  });

  it("smart scan uses a hash-tagged index and falls back to SCAN for a spread one", async () => {
    const options = { pattern: "user:{u}:*", filter: col("age").lt(3), schema: { age: "int64" } } as const;
    const undiscovered = await explainScan(fixture.conn, options);
    expect(undiscovered.strategy).toBe("scan");
    expect(undiscovered.reasons.join("\n")).toMatch(/pass `index`/);
    const tagged = await explainScan(fixture.conn, { ...options, index: "users{u}" });
    expect(tagged.strategy).toBe("search");
    expect(tagged.index).toBe("users{u}");
    const rows = await smartRead(fixture.conn, { ...options, index: "users{u}" });
    expect((rows.getColumn("age").toArray() as number[]).sort()).toEqual([0, 1, 2]);

    await expect(
      explainScan(fixture.conn, { pattern: "p:*", index: "spread", schema: { age: "int64" } }),
    ).rejects.toThrow(/lives on one master/);
    const all = await smartRead(fixture.conn, {
      pattern: "p:*",
      filter: col("age").lt(3),
      schema: { age: "int64" },
    });
    expect((all.getColumn("age").toArray() as number[]).sort()).toEqual([0, 1, 2]);
  });
});
