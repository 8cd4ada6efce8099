import { connect, readHashes } from "@polars-redis/core";
import { SeededRandom } from "@polars-redis/testkit";
import { requireModules, useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { beforeAll, describe, expect, it } from "vitest";
import { col, createIndex, field, type Query, searchHashes, waitForIndex } from "../src/index.js";
import { hsets } from "./fixtures/hsets.js";

/**
 * Correctness against brute force: random builder queries run in RediSearch, and the same predicate
 * (query.toPolars()) runs in Polars over every document; the key sets must be equal. Seeded, so a failure
 * names the seed and the query and reproduces.
 */
const SEED = Number(process.env.SEARCH_PROPERTY_SEED ?? 20261206);
const DOCS = 1000;
const QUERIES = 300;
const COLORS = ["Red", "green", "BLUE", "Dark Grey", "teal", "a,b"];
const TAGS = ["alpha", "beta", "Gamma", "delta", "x y"];
const WORDS = [
  "redis",
  "polars",
  "search",
  "stream",
  "cache",
  "vector",
  "index",
  "cluster",
  "shard",
  "query",
];

describe.runIf(requireModules("search"))("random builder queries agree with Polars over all the data", () => {
  const redis = useRedisConnection({ connect, modules: ["search"] });
  const random = new SeededRandom(`search-property:${SEED}`);
  let all: pl.DataFrame;

  beforeAll(async () => {
    const maybe = <T>(value: () => T): T | null => (random.chance(0.05) ? null : value());
    const rows = Array.from({ length: DOCS }, () => ({
      n: maybe(() => random.int(-500, 500) / 10),
      m: maybe(() => random.int(0, 1000)),
      color: maybe(() => random.pick(COLORS.filter((c) => !c.includes(",")))),
      tags: maybe(() => {
        const count = random.int(1, 3);
        return Array.from({ length: count }, () => random.pick(TAGS)).join(random.chance(0.5) ? "," : " , ");
      }),
      body: maybe(() => Array.from({ length: random.int(1, 6) }, () => random.pick(WORDS)).join(" ")),
    }));
    await redis.send(hsets("doc:", rows));
    await createIndex(redis.conn, {
      name: "docs",
      prefixes: ["doc:"],
      fields: [
        field.numeric("n"),
        field.numeric("m"),
        field.tag("color"),
        field.tag("tags"),
        field.text("body", { nostem: true }),
      ],
      stopwords: [],
    });
    await waitForIndex(redis.conn, "docs");
    all = await readHashes(redis.conn, {
      pattern: "doc:*",
      schema: { n: "float64", m: "int64", color: "utf8", tags: "utf8", body: "utf8" },
    });
    expect(all.height).toBe(DOCS);
  });

  function leaf(): Query {
    switch (random.int(0, 9)) {
      case 0:
        return col("n").gt(random.int(-500, 500) / 10);
      case 1:
        return col("m").ltEq(random.int(0, 1000));
      case 2: {
        const a = random.int(0, 1000);
        const b = random.int(0, 1000);
        return col("m").between(
          Math.min(a, b),
          Math.max(a, b),
          random.pick(["both", "left", "right", "none"] as const),
        );
      }
      case 3:
        return col("n").eq(random.int(-50, 50) / 10);
      case 4:
        return col("color").eq(random.pick(COLORS).toLowerCase());
      case 5:
        return col("tags").isIn([random.pick(TAGS), random.pick(TAGS)]);
      case 6:
        return col("body").contains(random.pick(WORDS));
      case 7:
        return col("body").startsWith(random.pick(WORDS).slice(0, random.int(2, 4)));
      case 8: {
        // Two different words: RediSearch lets one occurrence satisfy both halves of "w w".
        const first = random.pick(WORDS);
        return col("body").phrase([first, random.pick(WORDS.filter((w) => w !== first))]);
      }
      default:
        return col("n").lt(random.int(-500, 500) / 10);
    }
  }

  function query(depth: number): Query {
    if (depth === 0 || random.chance(0.3)) return random.chance(0.15) ? leaf().not() : leaf();
    const children = Array.from({ length: random.int(2, 3) }, () => query(depth - 1));
    switch (random.int(0, 3)) {
      case 0:
        return children[0]!.or(...children.slice(1));
      case 1:
        return children[0]!.and(...children.slice(1)).not();
      case 2:
        // An optional clause ranks, it never filters: beside a required sibling it changes nothing.
        return children[0]!.and(children[1]!.optional());
      default:
        return children[0]!.and(...children.slice(1));
    }
  }

  it(`${QUERIES} queries (seed ${SEED})`, async () => {
    const queries = Array.from({ length: QUERIES }, () => query(3));
    // Brute force: every predicate as one boolean column, evaluated by Polars in one pass over all documents.
    const matches = all.select(pl.col("_key"), ...queries.map((q, i) => q.toPolars().alias(`q${i}`)));
    const keys = matches.getColumn("_key").toArray() as string[];
    let selective = 0;
    for (let i = 0; i < QUERIES; i++) {
      const q = queries[i]!;
      const flags = matches.getColumn(`q${i}`).toArray() as boolean[];
      const want = keys.filter((_, row) => flags[row]).sort();
      const found = await searchHashes(redis.conn, {
        index: "docs",
        query: q,
        columns: [],
        batchSize: 10_000,
      });
      const got = (found.getColumn("_key").toArray() as string[]).sort();
      expect(got, `query ${i}: ${q.toString()}`).toEqual(want);
      if (want.length > 0 && want.length < DOCS) selective++;
    }
    // The generator must produce selective queries, not only everything or nothing.
    expect(selective).toBeGreaterThan(QUERIES / 2);
  }, 300_000); // 400 queries over 1,500 documents took 29 s at load average 11 on 2 cores; room for worse
});
