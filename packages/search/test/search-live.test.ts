import { connect, InvalidArgumentError, ModuleNotLoadedError, SchemaMismatchError } from "@polars-redis/core";
import { startRedis } from "@polars-redis/testkit";
import { requireModules, useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { beforeAll, describe, expect, it } from "vitest";
import {
  aggregate,
  col,
  countSearch,
  createIndex,
  diffIndex,
  dropIndex,
  ensureIndex,
  explainQuery,
  explainScan,
  field,
  indexExists,
  indexFromFrame,
  indexInfo,
  rebuildIndex,
  scanAggregate,
  scanSearch,
  searchHashes,
  waitForIndex,
} from "../src/index.js";
import { hsets } from "./fixtures/hsets.js";

const PEOPLE = [
  {
    name: "Ada Lovelace",
    age: 36,
    city: "London",
    score: 9.5,
    bio: "mathematician and writer",
    active: "true",
  },
  {
    name: "Alan Turing",
    age: 41,
    city: "London",
    score: 9.9,
    bio: "computer science pioneer",
    active: "true",
  },
  {
    name: "Grace Hopper",
    age: 85,
    city: "New York",
    score: 9.7,
    bio: "compiler pioneer and admiral",
    active: "false",
  },
  { name: "Marie Curie", age: 66, city: "Paris", score: 9.8, bio: "physicist and chemist", active: "false" },
  { name: "Édith Piaf", age: 47, city: "Paris", score: 7.5, bio: "singer", active: "true" },
  { name: "a{b}|c", age: 5, city: "Odd|City {x}", score: 1, bio: "special characters", active: "true" },
];

const SCHEMA = { name: "utf8", age: "int64", city: "utf8", score: "float64", active: "boolean" } as const;

describe.runIf(requireModules("search"))("RediSearch on a module server", () => {
  const redis = useRedisConnection({ connect, modules: ["search"] });

  beforeAll(async () => {
    await redis.send(hsets("person:", PEOPLE));
    await createIndex(redis.conn, {
      name: "people",
      prefixes: ["person:"],
      fields: [
        field.text("name", { sortable: true }),
        field.numeric("age", { sortable: true }),
        field.tag("city"),
        field.numeric("score"),
        field.text("bio", { nostem: true, weight: 2 }),
        field.tag("active"),
      ],
    });
    await waitForIndex(redis.conn, "people");
  });

  it("reports the index typed (FT.INFO)", async () => {
    const info = await indexInfo(redis.conn, "people");
    expect(info).toMatchObject({
      name: "people",
      on: "hash",
      prefixes: ["person:"],
      numDocs: 6,
      indexing: false,
    });
    expect(info!.fields.find((f) => f.name === "age")).toMatchObject({ type: "numeric", sortable: true });
    expect(info!.fields.find((f) => f.name === "bio")).toMatchObject({
      type: "text",
      nostem: true,
      weight: 2,
    });
    expect(await indexInfo(redis.conn, "nope")).toBeUndefined();
    expect(await indexExists(redis.conn, "people")).toBe(true);
    expect(await indexExists(redis.conn, "nope")).toBe(false);
  });

  it("searches with the builder into typed columns, with keys and scores on request", async () => {
    const frame = await searchHashes(redis.conn, {
      index: "people",
      query: col("age")
        .gt(40)
        .and(col("city").isIn(["London", "Paris"])),
      schema: SCHEMA,
      sortBy: "age",
      includeScore: true,
    });
    expect(frame.columns).toEqual(["_key", "name", "age", "city", "score", "active", "_score"]);
    expect(frame.getColumn("age").dtype).toEqual(pl.Int64);
    expect(frame.getColumn("active").dtype).toEqual(pl.Bool);
    expect(frame.getColumn("_score").dtype).toEqual(pl.Float64);
    expect(frame.getColumn("name").toArray()).toEqual(["Alan Turing", "Édith Piaf", "Marie Curie"]);
    expect(frame.getColumn("_key").toArray()).toEqual(["person:1", "person:4", "person:3"]);
    expect(frame.getColumn("active").toArray()).toEqual([true, true, false]);
  });

  it("reads through the cursor with exactly the fields asked for, whole documents loaded or fields named", async () => {
    const query = col("city").isIn(["London", "Paris"]);
    // Four fields or more: LOAD * (bio comes back from the server and is dropped); fewer: named LOAD fields.
    for (const columns of [["name", "age", "city", "active"], ["age"]]) {
      const frame = await searchHashes(redis.conn, { index: "people", query, columns });
      expect(frame.columns).toEqual(["_key", ...columns]);
      const rows = frame.sort("_key").toRecords();
      expect(rows.map((row) => row._key)).toEqual(["person:0", "person:1", "person:3", "person:4"]);
      expect(rows[0]).toEqual({
        _key: "person:0",
        ...Object.fromEntries(columns.map((c) => [c, String(PEOPLE[0]![c as keyof (typeof PEOPLE)[0]])])),
      });
    }
    const typed = await searchHashes(redis.conn, { index: "people", query, schema: SCHEMA });
    expect(typed.columns).toEqual(["_key", "name", "age", "city", "score", "active"]);
    expect((typed.getColumn("score").toArray() as number[]).sort()).toEqual([7.5, 9.5, 9.8, 9.9]);
  });

  it("matches values with special characters exactly (PARAMS, no escaping needed in the text)", async () => {
    const frame = await searchHashes(redis.conn, {
      index: "people",
      query: col("city").eq("Odd|City {x}"),
      schema: SCHEMA,
      columns: ["name"],
      includeKey: false,
    });
    expect(frame.toRecords()).toEqual([{ name: "a{b}|c" }]);
  });

  it("text terms, prefixes, fuzzy terms and phrases with slop", async () => {
    const names = async (query: Parameters<typeof searchHashes>[1]["query"]) =>
      (await searchHashes(redis.conn, { index: "people", query, columns: ["name"], sortBy: "name" }))
        .getColumn("name")
        .toArray();
    expect(await names(col("bio").contains("pioneer"))).toEqual(["Alan Turing", "Grace Hopper"]);
    expect(await names(col("bio").startsWith("phys"))).toEqual(["Marie Curie"]);
    expect(await names(col("bio").fuzzy("pionear"))).toEqual(["Alan Turing", "Grace Hopper"]);
    expect(await names(col("bio").phrase(["compiler", "admiral"]))).toEqual([]);
    expect(await names(col("bio").phrase(["compiler", "admiral"], { slop: 2 }))).toEqual(["Grace Hopper"]);
    expect(await names(col("bio").phrase(["admiral", "compiler"], { slop: 2, inOrder: true }))).toEqual([]);
    // SORTBY on a TEXT field compares normalised (case-folded) values.
    expect(await names(col("city").eq("London").not())).toEqual([
      "a{b}|c",
      "Grace Hopper",
      "Marie Curie",
      "Édith Piaf",
    ]);
    const rawString = await searchHashes(redis.conn, {
      index: "people",
      query: "@city:{$c} @age:[$lo +inf]",
      params: { c: "Paris", lo: 50 },
      columns: ["name"],
    });
    expect(rawString.getColumn("name").toArray()).toEqual(["Marie Curie"]);
  });

  it("pages with limit, offset and batchSize, and scans in bounded frames", async () => {
    const frames: pl.DataFrame[] = [];
    for await (const frame of scanSearch(redis.conn, {
      index: "people",
      columns: ["age"],
      schema: SCHEMA,
      sortBy: { field: "age", descending: true },
      batchSize: 2,
    }))
      frames.push(frame);
    expect(frames.map((f) => f.height)).toEqual([2, 2, 2]);
    expect(frames.flatMap((f) => f.getColumn("age").toArray())).toEqual([85, 66, 47, 41, 36, 5]);
    const page = await searchHashes(redis.conn, {
      index: "people",
      columns: ["age"],
      schema: SCHEMA,
      sortBy: "age",
      offset: 1,
      limit: 3,
      batchSize: 2,
    });
    expect(page.getColumn("age").toArray()).toEqual([36, 41, 47]);
    expect(await countSearch(redis.conn, { index: "people", query: col("score").gtEq(9.7) })).toBe(3);
  });

  it("returns typed empty frames, and raises or nulls values that do not fit the schema", async () => {
    const empty = await searchHashes(redis.conn, {
      index: "people",
      query: col("age").gt(1000),
      schema: SCHEMA,
    });
    expect(empty.height).toBe(0);
    expect(empty.columns).toEqual(["_key", "name", "age", "city", "score", "active"]);
    expect(empty.getColumn("age").dtype).toEqual(pl.Int64);
    const wrong = { ...SCHEMA, city: "int64" } as const;
    await expect(searchHashes(redis.conn, { index: "people", schema: wrong })).rejects.toSatisfy(
      (error: unknown) => SchemaMismatchError.isInstance(error),
    );
    const nulled = await searchHashes(redis.conn, { index: "people", schema: wrong, onError: "null" });
    expect(nulled.getColumn("city").nullCount()).toBe(6);
  });

  it("explains a query with FT.EXPLAIN", async () => {
    const plan = await explainQuery(redis.conn, "people", col("age").gt(40).and(col("city").eq("London")));
    expect(plan).toMatch(/INTERSECT/);
    expect(plan).toMatch(/NUMERIC \{40\.0+ < @age <= inf\}/);
    expect(plan).toMatch(/TAG:@city \{\s*london\s*\}/);
  });

  it("aggregates into typed columns, with cursor paging", async () => {
    const byCity = await aggregate(redis.conn, {
      index: "people",
      groupBy: ["city"],
      reduce: [
        { fn: "count", as: "n" },
        { fn: "avg", field: "age", as: "mean_age" },
        { fn: "max", field: "score", as: "best" },
      ],
      load: ["score"],
      sortBy: [{ field: "n", descending: true }, "city"],
    });
    expect(byCity.getColumn("n").dtype).toEqual(pl.Int64);
    expect(byCity.getColumn("mean_age").dtype).toEqual(pl.Float64);
    expect(byCity.toRecords()).toEqual([
      { city: "London", n: 2, mean_age: 38.5, best: 9.9 },
      { city: "Paris", n: 2, mean_age: 56.5, best: 9.8 },
      { city: "New York", n: 1, mean_age: 85, best: 9.7 },
      { city: "Odd|City {x}", n: 1, mean_age: 5, best: 1 },
    ]);
    const pages: number[] = [];
    for await (const frame of scanAggregate(redis.conn, {
      index: "people",
      load: ["name", "age"],
      apply: [{ expr: "@age * 2", as: "double" }],
      batchSize: 4,
      schema: { double: "float64" },
    }))
      pages.push(frame.height);
    expect(pages).toEqual([4, 2]);
    const limited = await aggregate(redis.conn, {
      index: "people",
      query: col("age").lt(50),
      load: ["age"],
      sortBy: ["age"],
      limit: 2,
      offset: 1,
    });
    expect(limited.getColumn("age").toArray()).toEqual([36, 41]);
  });

  it("manages indexes: ensure, diff, rebuild behind an alias, drop", async () => {
    const definition = {
      name: "cities",
      prefixes: ["person:"],
      fields: [field.tag("city"), field.numeric("age")],
    };
    expect(await ensureIndex(redis.conn, definition)).toBe("created");
    expect(await ensureIndex(redis.conn, definition)).toBe("unchanged");
    const changed = {
      ...definition,
      fields: [field.tag("city", { caseSensitive: true }), field.numeric("score")],
    };
    const diff = await diffIndex(redis.conn, changed);
    expect(diff.hasChanges).toBe(true);
    expect(diff.added.map((f) => f.name)).toEqual(["score"]);
    expect(diff.removed.map((f) => f.name)).toEqual(["age"]);
    expect(diff.changed.map((c) => c.field)).toEqual(["city"]);
    await expect(ensureIndex(redis.conn, changed)).rejects.toThrow(/added score; removed age; changed city/);
    expect(await ensureIndex(redis.conn, changed, { recreate: true })).toBe("recreated");
    expect((await diffIndex(redis.conn, changed)).hasChanges).toBe(false);
    expect(await dropIndex(redis.conn, "cities")).toBe(true);
    expect(await dropIndex(redis.conn, "cities")).toBe(false);

    const first = await rebuildIndex(redis.conn, "people_live", {
      prefixes: ["person:"],
      fields: [field.numeric("age")],
    });
    expect(first).toEqual({ previous: undefined, current: "people_live__1", droppedPrevious: false });
    const query = { index: "people_live", query: col("age").gt(60), columns: ["age"], schema: SCHEMA };
    expect((await searchHashes(redis.conn, query)).height).toBe(2);
    const second = await rebuildIndex(redis.conn, "people_live", {
      prefixes: ["person:"],
      fields: [field.numeric("age"), field.tag("city")],
    });
    expect(second).toEqual({ previous: "people_live__1", current: "people_live__2", droppedPrevious: true });
    expect((await searchHashes(redis.conn, { ...query, query: col("city").eq("Paris") })).height).toBe(2);
    expect(await indexExists(redis.conn, "people_live__1")).toBe(false);
    await expect(rebuildIndex(redis.conn, "people", { fields: [field.numeric("age")] })).rejects.toThrow(
      /is an index, not an alias/,
    );
    expect(await indexExists(redis.conn, "person:1")).toBe(false);
  });

  it("derives an index from a frame's dtypes", async () => {
    const frame = pl.DataFrame({
      _key: ["k"],
      n: [1],
      label: ["x"],
      body: ["some text"],
      flag: [true],
      when: [new Date(0)],
    });
    const definition = indexFromFrame(frame, {
      name: "derived",
      prefixes: ["derived:"],
      textFields: ["body"],
      sortable: ["n"],
    });
    expect(definition.fields).toEqual([
      { type: "numeric", name: "n", sortable: true },
      { type: "tag", name: "label" },
      { type: "text", name: "body" },
      { type: "tag", name: "flag" },
    ]);
    expect(definition.skipped).toEqual(["when"]);
    expect(await createIndex(redis.conn, definition)).toBe(true);
    expect(await createIndex(redis.conn, definition, { ifNotExists: true })).toBe(false);
    expect(() => indexFromFrame(frame, { name: "x", textFields: ["nope"] })).toThrow(InvalidArgumentError);
  });

  it("runs KNN and vector range queries with the vector in PARAMS", async () => {
    await createIndex(redis.conn, {
      name: "vectors",
      prefixes: ["vec:"],
      fields: [field.vector("v", { algorithm: "FLAT", dim: 2, distance: "L2" }), field.tag("kind")],
    });
    const points = [
      [0, 0],
      [1, 0],
      [0, 2],
      [5, 5],
    ];
    await redis.send(
      points.map((p, i) => [
        "HSET",
        `vec:${i}`,
        "v",
        Buffer.from(Float32Array.from(p).buffer),
        "kind",
        i % 2 ? "odd" : "even",
      ]),
    );
    await waitForIndex(redis.conn, "vectors");
    const nearest = await searchHashes(redis.conn, {
      index: "vectors",
      query: col("v").knn(2, [0.9, 0.1]),
      schema: { __vector_score: "float64" },
      sortBy: "__vector_score",
    });
    expect(nearest.getColumn("_key").toArray()).toEqual(["vec:1", "vec:0"]);
    expect(nearest.getColumn("__vector_score").toArray()[0]).toBeCloseTo(0.02, 5);
    const evenOnly = await searchHashes(redis.conn, {
      index: "vectors",
      query: col("v").knn(1, [0.9, 0.1], { filter: col("kind").eq("even") }),
      columns: [],
    });
    expect(evenOnly.getColumn("_key").toArray()).toEqual(["vec:0"]);
    const inRange = await searchHashes(redis.conn, {
      index: "vectors",
      query: col("v").vectorRange(4.5, [0, 0]),
      columns: [],
      sortBy: undefined,
    });
    expect(inRange.getColumn("_key").toArray().sort()).toEqual(["vec:0", "vec:1", "vec:2"]);
  });

  it("finds points within a geo radius", async () => {
    await createIndex(redis.conn, { name: "places", prefixes: ["place:"], fields: [field.geo("loc")] });
    await redis.send([
      ["HSET", "place:london", "loc", "-0.1276,51.5072"],
      ["HSET", "place:paris", "loc", "2.3522,48.8566"],
    ]);
    await waitForIndex(redis.conn, "places");
    const near = await searchHashes(redis.conn, {
      index: "places",
      query: col("loc").withinRadius(-0.12, 51.5, 50, "km"),
      columns: [],
    });
    expect(near.getColumn("_key").toArray()).toEqual(["place:london"]);
  });

  it("refuses bad options before sending anything", async () => {
    for (const options of [
      { index: "" },
      { index: "people", limit: -1 },
      { index: "people", batchSize: 0 },
      { index: "people", schema: { age: "int128" } },
      { index: "people", schema: SCHEMA, columns: ["nope"] },
      { index: "people", sortBy: {} },
      { index: "people", query: 42 },
    ]) {
      const error = await searchHashes(redis.conn, options as never).catch((e: unknown) => e);
      expect(InvalidArgumentError.isInstance(error), JSON.stringify(options)).toBe(true);
    }
    await expect(
      aggregate(redis.conn, { index: "people", reduce: [{ fn: "median" as never, as: "m" }] }),
    ).rejects.toThrow(/unknown reducer/);
    await expect(createIndex(redis.conn, { name: "bad", fields: [] })).rejects.toThrow(InvalidArgumentError);
    await expect(
      createIndex(redis.conn, { name: "bad", fields: [field.tag("t", { separator: ";;" })] }),
    ).rejects.toThrow(/separator/);
  });
});

describe("without the RediSearch module", () => {
  it("throws ModuleNotLoadedError instead of returning nothing", async () => {
    await using server = await startRedis();
    const conn = await connect(server.url);
    try {
      for (const attempt of [
        () => searchHashes(conn, { index: "people" }),
        () => createIndex(conn, { name: "x", fields: [field.numeric("n")] }),
        () => aggregate(conn, { index: "people" }),
        () => indexInfo(conn, "people"),
      ]) {
        const error = await attempt().catch((e: unknown) => e);
        expect(ModuleNotLoadedError.isInstance(error)).toBe(true);
        expect((error as ModuleNotLoadedError).module).toBe("search");
      }
      // Smart scan is the exception: without RediSearch it reads with SCAN, and says why.
      const plan = await explainScan(conn, {
        pattern: "x:*",
        filter: col("n").gt(1),
        schema: { n: "int64" },
      });
      expect(plan.strategy).toBe("scan");
      expect(plan.reasons).toContain("RediSearch is not loaded on this server");
    } finally {
      await conn.close();
    }
  });
});
