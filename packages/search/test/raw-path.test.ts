import {
  AbortedError,
  connect,
  ModuleNotLoadedError,
  RedisCommandError,
  type RedisConnection,
  RedisConnectionError,
  RedisTimeoutError,
  SchemaMismatchError,
} from "@polars-redis/core";
import { startRedis } from "@polars-redis/testkit";
import { requireModules, useFaultProxy, useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  col,
  createIndex,
  field,
  type SearchOptions,
  scanSearch,
  searchHashes,
  waitForIndex,
} from "../src/index.js";
import { hsets } from "./fixtures/hsets.js";

/**
 * searchHashes and scanSearch over core's raw RESP path (a channel of their own, replies decoded straight into
 * typed byte columns) must return exactly what the JS-value path returns, and fail as it does: typed errors,
 * the connection's command timeout as the deadline of every page. Real redis-server with RediSearch 2.6, a
 * real TCP fault proxy in between.
 */
const DOCS = 600;
const CITIES = ["London", "Paris", "New York", "Zürich", "Łódź"];
const ROWS = Array.from({ length: DOCS }, (_, i) => ({
  name: `person ${i} ${i % 7 === 0 ? "Ünïcødé ✓" : "plain"}`,
  age: i % 90,
  // Some documents lack fields: nulls in both paths.
  score: i % 11 === 0 ? null : (i * 0.37).toFixed(2),
  active: i % 3 === 0 ? "true" : "false",
  born: `19${String(50 + (i % 50)).padStart(2, "0")}-0${1 + (i % 9)}-1${i % 10}`,
  seen: i % 13 === 0 ? null : `2024-05-0${1 + (i % 9)}T12:3${i % 10}:00Z`,
  city: CITIES[i % CITIES.length],
  note: i % 5 === 0 ? "" : `n${i}`,
}));
const SCHEMA = {
  name: "utf8",
  age: "int64",
  score: "float64",
  active: "boolean",
  born: "date",
  seen: pl.Datetime("ms"),
  city: "categorical",
  note: "utf8",
} as const;

/** The same connection without raw channels: every command goes through ioredis (the JS-value path). */
function withoutRawChannel(connection: RedisConnection): RedisConnection {
  return Object.assign(Object.create(connection) as RedisConnection, { openRawChannel: undefined });
}

/** The same connection, counting the raw channels it opens (proves which path a search took). */
function counting(connection: RedisConnection): { conn: RedisConnection; opened: () => number } {
  let opened = 0;
  const conn = Object.assign(Object.create(connection) as RedisConnection, {
    openRawChannel: async () => {
      opened++;
      return connection.openRawChannel!();
    },
  });
  return { conn, opened: () => opened };
}

function rowsOf(frame: pl.DataFrame): unknown[] {
  return frame.toRecords().map((row) => ({ ...row, city: row.city === null ? null : String(row.city) }));
}

async function collect(frames: AsyncIterable<pl.DataFrame>): Promise<pl.DataFrame[]> {
  const all: pl.DataFrame[] = [];
  for await (const frame of frames) all.push(frame);
  return all;
}

describe.runIf(requireModules("search"))("search over core's raw RESP path", () => {
  const redis = useRedisConnection({ connect, modules: ["search"] });

  beforeAll(async () => {
    await redis.send(hsets("rp:", ROWS));
    await createIndex(redis.conn, {
      name: "rawpath",
      prefixes: ["rp:"],
      fields: [
        field.text("name"),
        field.numeric("age", { sortable: true }),
        field.tag("city"),
        field.numeric("score"),
      ],
    });
    await waitForIndex(redis.conn, "rawpath");
  });

  const cases: [string, Omit<SearchOptions, "index">][] = [
    ["cursor, every field typed (LOAD *)", { query: col("age").lt(60), schema: SCHEMA, batchSize: 70 }],
    [
      "cursor, three named fields",
      { query: col("age").gtEq(30), schema: SCHEMA, columns: ["age", "seen", "note"] },
    ],
    ["cursor, keys only", { query: col("city").eq("Paris"), columns: [] }],
    ["cursor, columns without a schema (Utf8)", { columns: ["name", "city", "missing"], batchSize: 250 }],
    [
      "cursor, a limit inside a page",
      { query: col("age").lt(50), schema: SCHEMA, limit: 123, batchSize: 50 },
    ],
    ["cursor, no key column", { schema: SCHEMA, includeKey: false, keyColumn: "k", batchSize: 400 }],
    [
      "LIMIT pages, sorted, offset, scores",
      {
        query: "@name:person",
        schema: SCHEMA,
        sortBy: { field: "age", descending: true },
        offset: 17,
        batchSize: 45,
        includeScore: true,
      },
    ],
    [
      "LIMIT pages, NOCONTENT with scores",
      { query: "@name:plain", columns: [], includeScore: true, sortBy: "age" },
    ],
    [
      "LIMIT pages, a query flag",
      { query: "@name:person", schema: SCHEMA, verbatim: true, limit: 333, batchSize: 100 },
    ],
    [
      "cursor, pages of 4 (more frames than searchHashes concatenates at once)",
      { schema: SCHEMA, batchSize: 4 },
    ],
    ["nothing matches", { query: col("age").gt(1000), schema: SCHEMA }],
  ];

  it.each(cases)("%s: the same frame as the JS-value path", async (_, options) => {
    const { conn, opened } = counting(redis.conn);
    const raw = await searchHashes(conn, { index: "rawpath", ...options });
    expect(opened()).toBe(1);
    const plain = await searchHashes(withoutRawChannel(redis.conn), { index: "rawpath", ...options });
    expect(raw.columns).toEqual(plain.columns);
    expect(raw.dtypes.map(String)).toEqual(plain.dtypes.map(String));
    expect(raw.height).toBe(plain.height);
    if (options.sortBy === undefined) {
      // Cursor pages come in the server's order: the same documents, compared by key.
      const key = raw.columns.includes("_key") ? "_key" : raw.columns[0]!;
      expect(rowsOf(raw.sort(key))).toEqual(rowsOf(plain.sort(key)));
    } else expect(rowsOf(raw)).toEqual(rowsOf(plain));
  });

  it("scanSearch: one frame per page, the same frames as the JS-value path", async () => {
    const options = {
      index: "rawpath",
      query: col("age").lt(40),
      schema: SCHEMA,
      sortBy: "age",
      batchSize: 64,
    };
    const raw = await collect(scanSearch(redis.conn, options));
    const plain = await collect(scanSearch(withoutRawChannel(redis.conn), options));
    expect(raw.map((f) => f.height)).toEqual(plain.map((f) => f.height));
    expect(raw.map(rowsOf)).toEqual(plain.map(rowsOf));
  });

  it("raises or nulls a value that does not fit, like the JS-value path", async () => {
    const wrong = { ...SCHEMA, note: "int64" } as const;
    const rawError = await searchHashes(redis.conn, { index: "rawpath", schema: wrong }).catch(
      (e: unknown) => e,
    );
    const plainError = await searchHashes(withoutRawChannel(redis.conn), {
      index: "rawpath",
      schema: wrong,
    }).catch((e: unknown) => e);
    expect(SchemaMismatchError.isInstance(rawError)).toBe(true);
    expect(SchemaMismatchError.isInstance(plainError)).toBe(true);
    expect((rawError as SchemaMismatchError).field).toBe("note");
    expect((plainError as SchemaMismatchError).field).toBe("note");
    expect((rawError as SchemaMismatchError).expected).toBe((plainError as SchemaMismatchError).expected);
    // The raw path names the document (the JS-value path names the index).
    expect((rawError as SchemaMismatchError).key).toMatch(/^rp:\d+$/);
    const nulled = await searchHashes(redis.conn, { index: "rawpath", schema: wrong, onError: "null" });
    const plainNulled = await searchHashes(withoutRawChannel(redis.conn), {
      index: "rawpath",
      schema: wrong,
      onError: "null",
    });
    expect(nulled.getColumn("note").nullCount()).toBe(plainNulled.getColumn("note").nullCount());
    expect(nulled.getColumn("note").nullCount()).toBe(DOCS);
  });

  it("throws error replies as RedisCommandError, and the connection searches again", async () => {
    const error = await searchHashes(redis.conn, { index: "no-such-index", schema: SCHEMA }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RedisCommandError);
    expect((error as RedisCommandError).message).toMatch(/no such index|Unknown Index/i);
    const sorted = await searchHashes(redis.conn, {
      index: "rawpath",
      query: "@age:[",
      schema: SCHEMA,
      sortBy: "age",
    }).catch((e: unknown) => e);
    expect(sorted).toBeInstanceOf(RedisCommandError);
    expect((await searchHashes(redis.conn, { index: "rawpath", schema: SCHEMA })).height).toBe(DOCS);
  });

  it("deletes the cursor of a search stopped before its end", async () => {
    const cursors = async () => {
      const info = (await redis.conn.call("FT.INFO", "rawpath")) as unknown[];
      const stats = info[info.indexOf("cursor_stats") + 1] as unknown[];
      return Number(stats[stats.indexOf("index_total") + 1]);
    };
    expect(await cursors()).toBe(0);
    for await (const frame of scanSearch(redis.conn, { index: "rawpath", schema: SCHEMA, batchSize: 100 })) {
      expect(frame.height).toBe(100);
      break;
    }
    await vi.waitFor(async () => expect(await cursors()).toBe(0), { timeout: 10_000, interval: 50 });
    const limited = await searchHashes(redis.conn, {
      index: "rawpath",
      schema: SCHEMA,
      limit: 150,
      batchSize: 100,
    });
    expect(limited.height).toBe(150);
    await vi.waitFor(async () => expect(await cursors()).toBe(0), { timeout: 10_000, interval: 50 });
  });

  it("stops at once with AbortedError when the signal fires", async () => {
    const controller = new AbortController();
    const frames = scanSearch(redis.conn, {
      index: "rawpath",
      schema: SCHEMA,
      batchSize: 50,
      signal: controller.signal,
    });
    let seen = 0;
    const error = await (async () => {
      for await (const _ of frames) if (++seen === 2) controller.abort();
    })().catch((e: unknown) => e);
    expect(AbortedError.isInstance(error)).toBe(true);
    expect(seen).toBe(2);
  });
});

describe.runIf(requireModules("search"))("the raw search path through a faulty network", () => {
  const redis = useRedisConnection({ connect, modules: ["search"] });
  const faults = useFaultProxy(() => redis.server);
  let conn: RedisConnection;
  let channels: ReturnType<typeof counting>;

  beforeAll(async () => {
    await redis.send(hsets("rf:", ROWS));
    await createIndex(redis.conn, {
      name: "rawfaults",
      prefixes: ["rf:"],
      fields: [field.numeric("age", { sortable: true }), field.tag("city")],
    });
    await waitForIndex(redis.conn, "rawfaults");
  });

  beforeEach(async () => {
    conn = await connect(faults.proxy.url, { commandTimeoutMs: 1500 });
    channels = counting(conn);
  });

  afterEach(async () => {
    await faults.proxy.clearFaults();
    await conn.close();
  });

  /** Reads frame by frame; once the first frame is in, switches `fault` on. Returns the error it ends with. */
  async function failMidRead(options: Omit<SearchOptions, "index">, fault: () => void): Promise<unknown> {
    let frames = 0;
    try {
      for await (const _ of scanSearch(channels.conn, { index: "rawfaults", schema: SCHEMA, ...options }))
        if (frames++ === 0) fault();
    } catch (error) {
      expect(channels.opened()).toBe(1);
      return error;
    }
    throw new Error("the search completed although the server stopped answering");
  }

  it("fails a cursor read with RedisTimeoutError at the command timeout when the server goes silent", async () => {
    const error = await failMidRead({ batchSize: 50 }, () => faults.proxy.blackhole());
    expect(RedisTimeoutError.isInstance(error)).toBe(true);
    expect((error as RedisTimeoutError).timeoutMs).toBe(1500);
    expect((error as RedisTimeoutError).command).toBe("FT.CURSOR");
    // The connection searches again once the network heals (a new channel: the failed one is closed).
    await faults.proxy.clearFaults();
    expect((await searchHashes(conn, { index: "rawfaults", schema: SCHEMA })).height).toBe(DOCS);
  });

  it("fails a LIMIT page with RedisTimeoutError when the server is silent from the start", async () => {
    faults.proxy.blackhole();
    const error = await searchHashes(channels.conn, {
      index: "rawfaults",
      schema: SCHEMA,
      sortBy: "age",
    }).catch((e: unknown) => e);
    expect(channels.opened()).toBe(1);
    expect(RedisTimeoutError.isInstance(error)).toBe(true);
    expect((error as RedisTimeoutError).command).toBe("FT.SEARCH");
  });

  it("fails with RedisConnectionError when the connection drops mid-read", async () => {
    const error = await failMidRead({ batchSize: 50 }, () => {
      faults.proxy.blackhole({ direction: "toClient" });
      faults.proxy.dropConnections({ reset: true });
    });
    expect(RedisConnectionError.isInstance(error) || RedisTimeoutError.isInstance(error)).toBe(true);
    expect(RedisConnectionError.isInstance(error)).toBe(true);
  });

  it("reads replies cut into small pieces exactly as whole ones", async () => {
    const whole = await searchHashes(redis.conn, { index: "rawfaults", schema: SCHEMA, sortBy: "age" });
    faults.proxy.slice({ averageSize: 7, sizeVariation: 6, delayMs: 0, direction: "toClient" });
    const sliced = await searchHashes(channels.conn, { index: "rawfaults", schema: SCHEMA, sortBy: "age" });
    const cursor = await searchHashes(channels.conn, { index: "rawfaults", schema: SCHEMA, batchSize: 256 });
    expect(channels.opened()).toBe(2);
    expect(rowsOf(sliced)).toEqual(rowsOf(whole));
    expect(rowsOf(cursor.sort("_key"))).toEqual(rowsOf(whole.sort("_key")));
  });
});

describe("the raw search path without RediSearch", () => {
  it("throws ModuleNotLoadedError", async () => {
    await using server = await startRedis();
    const conn = await connect(server.url);
    try {
      for (const options of [{ schema: SCHEMA }, { schema: SCHEMA, sortBy: "age" }]) {
        const error = await searchHashes(conn, { index: "x", ...options }).catch((e: unknown) => e);
        expect(ModuleNotLoadedError.isInstance(error)).toBe(true);
      }
    } finally {
      await conn.close();
    }
  });
});
