import { keySlot } from "@polars-redis/testkit";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { describe, expect, it } from "vitest";
import {
  AbortedError,
  type Command,
  connect,
  readLists,
  readSets,
  readStrings,
  readZsets,
  type ScanReport,
  scanLists,
  scanSets,
  scanZsets,
} from "../src/index.js";
import { spyConnection } from "./fixtures/command-spy.js";

const redis = useRedisConnection({ connect });

/** Adds `count` members to a key, 1000 per command. */
async function fill(
  command: "SADD" | "RPUSH",
  key: string,
  count: number,
  member: (i: number) => string,
): Promise<void> {
  const commands: Command[] = [];
  for (let start = 0; start < count; start += 1000) {
    const members = Array.from({ length: Math.min(1000, count - start) }, (_, i) => member(start + i));
    commands.push([command, key, ...members]);
  }
  await redis.send(commands);
}

const UNICODE = ["héllo", "日本語", "emoji 🎉👩‍👩‍👧", "a\u0000b", "line\r\nbreak", "", "ℵ₀ ∑"];

describe("strings", () => {
  it("reads values with MGET, typed with valueType, under a custom column name", async () => {
    await redis.send([
      ["SET", "st:n:1", "10"],
      ["SET", "st:n:2", "-3"],
      ["HSET", "st:n:hash", "f", "v"],
    ]);
    const spy = spyConnection(redis.conn);
    const frame = (await readStrings(spy, { pattern: "st:n:*", valueType: pl.Int64, valueColumn: "n" })).sort(
      "_key",
    );
    expect(frame.toRecords()).toEqual([
      { _key: "st:n:1", n: 10 },
      { _key: "st:n:2", n: -3 },
    ]);
    expect(spy.batches.flat().map((command) => command[0])).toEqual(["MGET"]);
  });

  it("round-trips Unicode values and keys", async () => {
    await redis.send(UNICODE.map((value, i): Command => [`SET`, `st:uni:ключ:${i}`, value]));
    const frame = await readStrings(redis.conn, { keys: UNICODE.map((_, i) => `st:uni:ключ:${i}`) });
    expect(frame.getColumn("value").toArray()).toEqual(UNICODE);
    expect(frame.getColumn("_key").toArray()[0]).toBe("st:uni:ключ:0");
  });

  it("skips keys gone between SCAN and MGET", async () => {
    await redis.send([["SET", "st:gone:1", "a"]]);
    let report: ScanReport | undefined;
    const frame = await readStrings(redis.conn, {
      keys: ["st:gone:1", "st:gone:2"],
      onReport: (r) => {
        report = r;
      },
    });
    expect(frame.height).toBe(1);
    expect(report?.keysMissing).toBe(1);
  });

  it("reads Datetime values with their offsets applied", async () => {
    await redis.send([
      ["SET", "st:dt:1", "2024-01-15T10:30:00+02:00"],
      ["SET", "st:dt:2", "1700000000000"],
    ]);
    const frame = (
      await readStrings(redis.conn, { pattern: "st:dt:*", valueType: "datetime[ms, UTC]" })
    ).sort("_key");
    expect(String(frame.getColumn("value").dtype)).toBe("DataType(Datetime(ms,UTC))");
    const instants = (frame.getColumn("value").toArray() as unknown as Date[]).map((d) => d.getTime());
    expect(instants).toEqual([Date.parse("2024-01-15T08:30:00Z"), 1700000000000]);
  });
});

describe("sets", () => {
  it("gives one row per member", async () => {
    await redis.send([
      ["SADD", "se:a", "x", "y"],
      ["SADD", "se:b", "z"],
      ["SET", "se:not-a-set", "v"],
    ]);
    const frame = (await readSets(redis.conn, { pattern: "se:*", memberColumn: "tag" })).sort([
      "_key",
      "tag",
    ]);
    expect(frame.columns).toEqual(["_key", "tag"]);
    expect(frame.toRecords()).toEqual([
      { _key: "se:a", tag: "x" },
      { _key: "se:a", tag: "y" },
      { _key: "se:b", tag: "z" },
    ]);
  });

  it("reads a big set in SSCAN pages, never all at once, every member exactly once", async () => {
    await fill("SADD", "se:big", 30_000, (i) => `member-${i}`);
    const spy = spyConnection(redis.conn);
    let largestFrame = 0;
    const members: string[] = [];
    for await (const frame of scanSets(spy, { keys: ["se:big"], pageSize: 500 })) {
      largestFrame = Math.max(largestFrame, frame.height);
      members.push(...(frame.getColumn("member").toArray() as string[]));
    }
    const pages = spy.batches.flat().filter((command) => command[0] === "SSCAN");
    expect(pages.length).toBeGreaterThan(30);
    // SSCAN's COUNT is a hint: a page may hold a little more than asked, never the whole set.
    expect(largestFrame).toBeLessThan(2_000);
    expect(members.length).toBe(30_000);
    expect(new Set(members).size).toBe(30_000);
  });

  it("reads members as a typed column", async () => {
    await redis.send([["SADD", "se:ints", "1", "2", "30"]]);
    const frame = await readSets(redis.conn, { keys: ["se:ints"], memberType: pl.Int32 });
    expect(String(frame.getColumn("member").dtype)).toBe("DataType(Int32)");
    expect((frame.getColumn("member").toArray() as number[]).sort((a, b) => a - b)).toEqual([1, 2, 30]);
  });

  it("round-trips Unicode members", async () => {
    await redis.send([["SADD", "se:uni", ...UNICODE]]);
    const frame = await readSets(redis.conn, { keys: ["se:uni"] });
    expect((frame.getColumn("member").toArray() as string[]).sort()).toEqual([...UNICODE].sort());
  });
});

describe("lists", () => {
  it("gives one row per element in order, with positions", async () => {
    await redis.send([["RPUSH", "li:a", "p", "q", "r"]]);
    const frame = await readLists(redis.conn, {
      keys: ["li:a"],
      includePosition: true,
      elementColumn: "item",
    });
    expect(frame.columns).toEqual(["_key", "position", "item"]);
    expect(frame.toRecords()).toEqual([
      { _key: "li:a", position: 0, item: "p" },
      { _key: "li:a", position: 1, item: "q" },
      { _key: "li:a", position: 2, item: "r" },
    ]);
  });

  it("reads a long list in LRANGE ranges, in order, with contiguous positions", async () => {
    await fill("RPUSH", "li:big", 25_000, (i) => String(i));
    const spy = spyConnection(redis.conn);
    const heights: number[] = [];
    const positions: number[] = [];
    const elements: number[] = [];
    for await (const frame of scanLists(spy, {
      keys: ["li:big"],
      pageSize: 1000,
      includePosition: true,
      elementType: pl.Int64,
    })) {
      heights.push(frame.height);
      positions.push(...(frame.getColumn("position").toArray() as number[]));
      elements.push(...(frame.getColumn("element").toArray() as number[]));
    }
    expect(heights.every((h) => h <= 1000)).toBe(true);
    expect(heights.length).toBe(25);
    const expected = Array.from({ length: 25_000 }, (_, i) => i);
    expect(positions).toEqual(expected);
    expect(elements).toEqual(expected);
    const ranges = spy.batches.flat().filter((command) => command[0] === "LRANGE");
    expect(ranges.every((command) => Number(command[3]) - Number(command[2]) === 999)).toBe(true);
  });

  it("pages many keys together and keeps each key's rows in order", async () => {
    const commands: Command[] = [];
    for (let k = 0; k < 5; k++)
      commands.push(["RPUSH", `li:many:${k}`, ...Array.from({ length: 7 + k }, (_, i) => `${k}:${i}`)]);
    await redis.send(commands);
    const frame = await readLists(redis.conn, { pattern: "li:many:*", pageSize: 3, includePosition: true });
    expect(frame.height).toBe(7 + 8 + 9 + 10 + 11);
    for (let k = 0; k < 5; k++) {
      const rows = frame.filter(pl.col("_key").eq(pl.lit(`li:many:${k}`)));
      expect(rows.getColumn("position").toArray()).toEqual(Array.from({ length: 7 + k }, (_, i) => i));
      expect(rows.getColumn("element").toArray()).toEqual(
        Array.from({ length: 7 + k }, (_, i) => `${k}:${i}`),
      );
    }
  });
});

describe("sorted sets", () => {
  it("gives member, score and rank in ascending score order, infinities included", async () => {
    await redis.send([["ZADD", "zs:a", "2.5", "b", "1", "a", "+inf", "top", "-inf", "bottom"]]);
    const frame = await readZsets(redis.conn, { keys: ["zs:a"], includeRank: true, scoreColumn: "s" });
    expect(frame.columns).toEqual(["_key", "rank", "member", "s"]);
    expect(frame.getColumn("member").toArray()).toEqual(["bottom", "a", "b", "top"]);
    expect(frame.getColumn("s").toArray()).toEqual([
      Number.NEGATIVE_INFINITY,
      1,
      2.5,
      Number.POSITIVE_INFINITY,
    ]);
    expect(frame.getColumn("rank").toArray()).toEqual([0, 1, 2, 3]);
  });

  it("reads a big sorted set in rank ranges with exact scores", async () => {
    const commands: Command[] = [];
    for (let start = 0; start < 12_000; start += 1000) {
      const args: string[] = [];
      for (let i = start; i < start + 1000; i++) args.push(String(i / 4), `m${i}`);
      commands.push(["ZADD", "zs:big", ...args]);
    }
    await redis.send(commands);
    const heights: number[] = [];
    const ranks: number[] = [];
    const scores: number[] = [];
    for await (const frame of scanZsets(redis.conn, { keys: ["zs:big"], pageSize: 700, includeRank: true })) {
      heights.push(frame.height);
      ranks.push(...(frame.getColumn("rank").toArray() as number[]));
      scores.push(...(frame.getColumn("score").toArray() as number[]));
    }
    expect(Math.max(...heights)).toBe(700);
    expect(ranks).toEqual(Array.from({ length: 12_000 }, (_, i) => i));
    expect(scores).toEqual(Array.from({ length: 12_000 }, (_, i) => i / 4));
  });
});

describe("every type", () => {
  it("adds TTL and row index, filters and limits the same way", async () => {
    await redis.send([
      ["RPUSH", "ev:l1", "1", "2", "3", "4"],
      ["RPUSH", "ev:l2", "5", "6"],
      ["PEXPIRE", "ev:l2", "60000"],
    ]);
    const frame = await readLists(redis.conn, {
      keys: ["ev:l1", "ev:l2"],
      elementType: pl.Int64,
      filter: pl.col("element").gt(1),
      limit: 4,
      includeTtl: true,
      includeRowIndex: true,
    });
    expect(frame.columns).toEqual(["_index", "_key", "_ttl", "element"]);
    expect(frame.getColumn("element").toArray()).toEqual([2, 3, 4, 5]);
    expect(frame.getColumn("_index").toArray()).toEqual([0, 1, 2, 3]);
    const ttl = frame.getColumn("_ttl").toArray() as (number | null)[];
    expect(ttl.slice(0, 3)).toEqual([null, null, null]);
    expect(ttl[3]).toBeGreaterThan(50_000);
  });

  it("gives empty frames with the right columns when nothing matches", async () => {
    const sets = await readSets(redis.conn, { pattern: "none:*" });
    const lists = await readLists(redis.conn, { pattern: "none:*", includePosition: true });
    const zsets = await readZsets(redis.conn, { pattern: "none:*", includeRank: true });
    const strings = await readStrings(redis.conn, { pattern: "none:*", valueType: pl.Float64 });
    expect(sets.columns).toEqual(["_key", "member"]);
    expect(lists.columns).toEqual(["_key", "position", "element"]);
    expect(zsets.columns).toEqual(["_key", "rank", "member", "score"]);
    expect(strings.columns).toEqual(["_key", "value"]);
    expect(String(strings.getColumn("value").dtype)).toBe("DataType(Float64)");
    expect(String(zsets.getColumn("score").dtype)).toBe("DataType(Float64)");
  });

  it("skips collections deleted between SCAN and the first page", async () => {
    await redis.send([
      ["SADD", "ev:del:s", "a"],
      ["RPUSH", "ev:del:l", "a"],
      ["ZADD", "ev:del:z", "1", "a"],
    ]);
    const spy = spyConnection(redis.conn, async (commands) => {
      for (const command of commands) await redis.conn.call("DEL", String(command[1]));
    });
    const reports: ScanReport[] = [];
    const onReport = (report: ScanReport) => reports.push(report);
    const frames = [
      await readSets(spy, { pattern: "ev:del:*", onReport }),
      await readLists(spy, { pattern: "ev:del:*", onReport }),
      await readZsets(spy, { pattern: "ev:del:*", onReport }),
    ];
    expect(frames.map((frame) => frame.height)).toEqual([0, 0, 0]);
    expect(reports.map((report) => [report.keysScanned, report.keysMissing])).toEqual([
      [1, 1],
      [1, 1],
      [1, 1],
    ]);
  });
});

describe("strings on a cluster connection", () => {
  it("sends one MGET per hash slot, each holding only keys of that slot", async () => {
    const keys = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? `{tag}:st:c:${i}` : `st:c:${i}`));
    await redis.send(keys.map((key): Command => ["SET", key, key.toUpperCase()]));
    const spy = spyConnection(redis.conn);
    const clusterLike = { ...spy, kind: "cluster" as const, batch: spy.batch };
    const frame = await readStrings(clusterLike, { keys });
    expect(frame.getColumn("value").toArray()).toEqual(keys.map((key) => key.toUpperCase()));
    const mgets = spy.batches.flat();
    expect(mgets.every((command) => command[0] === "MGET")).toBe(true);
    for (const command of mgets) {
      const slots = new Set(command.slice(1).map((key) => keySlot(String(key))));
      expect(slots.size).toBe(1);
    }
    // The 20 hash-tagged keys share one slot, so they travel in a single MGET.
    expect(mgets.some((command) => command.length === 21)).toBe(true);
  });
});

describe("abort on paged types", () => {
  it("stops a long list read between pages", async () => {
    await fill("RPUSH", "ab:list", 20_000, (i) => String(i));
    const controller = new AbortController();
    const spy = spyConnection(redis.conn);
    let frames = 0;
    const error = await (async () => {
      for await (const _ of scanLists(spy, { keys: ["ab:list"], pageSize: 100, signal: controller.signal })) {
        frames++;
        if (frames === 3) controller.abort("enough");
      }
    })().catch((e: unknown) => e);
    expect(AbortedError.isInstance(error)).toBe(true);
    expect(frames).toBe(3);
    expect(spy.batches.length).toBeLessThanOrEqual(5);
    expect(await redis.conn.call("LLEN", "ab:list")).toBe(20_000);
  });
});
