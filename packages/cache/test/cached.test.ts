import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { connect, InvalidArgumentError, type RedisConnection, RedisTimeoutError } from "@polars-redis/core";
import { waitFor } from "@polars-redis/testkit";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cached, hashArguments } from "../src/index.js";
import { fixture } from "./fixtures/fixture-path.js";

const redis = useRedisConnection({ connect });

function counted<A extends unknown[]>(
  compute: (...args: A) => pl.DataFrame | pl.LazyDataFrame | Promise<pl.DataFrame>,
) {
  const calls: A[] = [];
  const fn = async (...args: A) => {
    calls.push(args);
    return compute(...args);
  };
  return { fn, calls };
}

const sales = pl.DataFrame({ region: ["north", "south", "north"], amount: [10, 20, 30] });
const summarise = (frame: pl.DataFrame, factor: number) =>
  frame.groupBy("region").agg(pl.col("amount").sum().mul(factor).alias("total")).sort("region");

describe("memoisation", () => {
  it("computes once per argument content, then serves the cached frame", async () => {
    const { fn, calls } = counted(summarise);
    const report = cached(fn, { connection: redis.conn, name: "memo1" });
    const first = await report(sales, 2);
    const second = await report(sales, 2);
    expect(calls).toHaveLength(1);
    expect(second.frameEqual(first)).toBe(true);
    expect(second.getColumn("total").toArray()).toEqual([80, 40]);
    await report(sales, 3);
    expect(calls).toHaveLength(2);
  });

  it("hashes DataFrames by content: same shape, different values is a different key; re-chunked is the same", async () => {
    const other = pl.DataFrame({ region: ["north", "south", "north"], amount: [11, 20, 30] });
    const rechunked = pl.concat([sales.slice(0, 1), sales.slice(1, 2)], { how: "vertical" });
    expect(rechunked.nChunks()).toBeGreaterThan(1);
    expect(await hashArguments([other])).not.toBe(await hashArguments([sales]));
    expect(await hashArguments([rechunked])).toBe(await hashArguments([sales]));
    expect(await hashArguments([sales.lazy()])).toBe(await hashArguments([sales.lazy()]));
    // Column names and dtypes count, not just values.
    expect(await hashArguments([sales.rename({ amount: "amt" })])).not.toBe(await hashArguments([sales]));
    expect(await hashArguments([sales.withColumns(pl.col("amount").cast(pl.Int64))])).not.toBe(
      await hashArguments([sales]),
    );
    // Plain values: order of object keys and Map/Set insertion order do not matter; types do.
    expect(await hashArguments([{ a: 1, b: [1, "x"] }])).toBe(await hashArguments([{ b: [1, "x"], a: 1 }]));
    expect(
      await hashArguments([
        new Map([
          ["a", 1],
          ["b", 2],
        ]),
      ]),
    ).toBe(
      await hashArguments([
        new Map([
          ["b", 2],
          ["a", 1],
        ]),
      ]),
    );
    expect(await hashArguments([1])).not.toBe(await hashArguments(["1"]));
    expect(await hashArguments([1, undefined])).toBe(await hashArguments([1]));
    expect(await hashArguments([new Date(5)])).not.toBe(await hashArguments([5]));
  });

  it("collects a LazyFrame result", async () => {
    const report = cached(async (factor: number) => sales.lazy().withColumns(pl.col("amount").mul(factor)), {
      connection: redis.conn,
      name: "lazy",
    });
    const frame = await report(10);
    expect(frame.getColumn("amount").toArray()).toEqual([100, 200, 300]);
    expect((await report(10)).frameEqual(frame)).toBe(true);
  });

  it("refresh recomputes, skip bypasses the cache, invalidate deletes", async () => {
    let version = 0;
    const { fn, calls } = counted((label: string) => pl.DataFrame({ label: [label], version: [++version] }));
    const report = cached(fn, { connection: redis.conn, name: "ops" });
    expect((await report("a")).getColumn("version").toArray()).toEqual([1]);
    expect((await report.refresh("a")).getColumn("version").toArray()).toEqual([2]);
    expect((await report("a")).getColumn("version").toArray()).toEqual([2]);
    expect((await report.skip("a")).getColumn("version").toArray()).toEqual([3]);
    expect((await report("a")).getColumn("version").toArray()).toEqual([2]);
    expect(await report.isCached("a")).toBe(true);
    expect(await report.invalidate("a")).toBe(true);
    expect(await report.isCached("a")).toBe(false);
    expect((await report("a")).getColumn("version").toArray()).toEqual([4]);
    expect(calls).toHaveLength(4);
    expect(await report.keyFor("a")).toMatch(/^polars-redis:cached:ops:[0-9a-f]{12}:[0-9a-f]{32}$/);
  });

  it("expires results after ttl", async () => {
    let computed = 0;
    const { fn, calls } = counted(() => pl.DataFrame({ x: [++computed] }));
    const report = cached(fn, { connection: redis.conn, name: "ttl", ttl: 3 });
    await report();
    await report();
    expect(calls).toHaveLength(1);
    const key = await report.keyFor();
    await waitFor(async () => Number(await redis.conn.call("EXISTS", key)) === 0, { timeoutMs: 30_000 });
    await report();
    expect(calls).toHaveLength(2);
  });

  it("serves a stale result at once and refreshes it in the background (stale-while-revalidate)", async () => {
    let version = 0;
    const { fn, calls } = counted(() => pl.DataFrame({ version: [++version] }));
    const report = cached(fn, { connection: redis.conn, name: "swr", ttl: 2, staleWhileRevalidate: 60 });
    expect((await report()).getColumn("version").toArray()).toEqual([1]);
    const key = await report.keyFor();
    // Fresh for 2 s, then stale for 60 s: wait until the entry's TTL is inside the stale window.
    await waitFor(async () => Number(await redis.conn.call("PTTL", key)) <= 60_000, { timeoutMs: 10_000 });
    expect((await report()).getColumn("version").toArray()).toEqual([1]);
    await report.idle();
    expect(calls).toHaveLength(2);
    expect((await report()).getColumn("version").toArray()).toEqual([2]);
    expect(calls).toHaveLength(2);
  });
});

describe("stampede protection", () => {
  const extra: RedisConnection[] = [];
  beforeAll(async () => {
    for (let i = 0; i < 8; i++) extra.push(await connect(redis.server.url));
  });
  afterAll(async () => {
    for (const conn of extra) await conn.close();
  });

  it("eight concurrent callers on eight connections compute once", async () => {
    let computations = 0;
    const compute = async () => {
      computations++;
      await new Promise((resolve) => setTimeout(resolve, 300));
      return pl.DataFrame({ n: [42] });
    };
    const results = await Promise.all(
      extra.map((conn) => cached(compute, { connection: conn, name: "stampede", version: "1" })()),
    );
    expect(computations).toBe(1);
    for (const frame of results) expect(frame.getColumn("n").toArray()).toEqual([42]);
  });

  it("a waiter gives up with RedisTimeoutError after waitTimeout", async () => {
    const report = cached(async () => pl.DataFrame({ n: [1] }), {
      connection: redis.conn,
      name: "held",
      version: "1",
      waitTimeout: 0.3,
    });
    const key = await report.keyFor();
    await redis.conn.call("SET", `{${key}}:~lock`, "someone-else", "PX", 60_000);
    const error = await report().catch((e) => e);
    expect(RedisTimeoutError.isInstance(error)).toBe(true);
    expect(error.message).toContain("waited 0.3 s");
  });

  it("a computing process killed mid-computation: exactly one waiter recomputes after its lock expires", async () => {
    await redis.conn.call("DEL", "test:computations");
    const lockTtl = 2;
    const children: ChildProcess[] = [];
    try {
      const computing = startChild("hang", lockTtl);
      children.push(computing.child);
      await waitFor(async () => Number(await redis.conn.call("GET", "test:computations")) === 1, {
        timeoutMs: 60_000,
      });
      const { key } = await computing.calling;
      const waiters = Array.from({ length: 4 }, () => startChild("compute", lockTtl));
      children.push(...waiters.map((waiter) => waiter.child));
      // Every waiter computed the same key (stable across processes) and found the lock held.
      for (const waiter of waiters) expect((await waiter.calling).key).toBe(key);
      const lock = `{${key}}:~lock`;
      expect(Number(await redis.conn.call("PTTL", lock))).toBeGreaterThan(0);
      computing.child.kill("SIGKILL");
      const results = await Promise.all(waiters.map((waiter) => waiter.done));
      expect(Number(await redis.conn.call("GET", "test:computations"))).toBe(2);
      for (const result of results) {
        expect(result).toEqual({ event: "done", height: 2, doubled: [20, 64], label: ["weekly", "weekly"] });
      }
      expect(Number(await redis.conn.call("EXISTS", lock))).toBe(0);
    } finally {
      for (const child of children) child.kill("SIGKILL");
    }
  }, 180_000);
});

describe("bad input", () => {
  it("refuses bad options and unhashable arguments before anything is written", async () => {
    const before = Number(await redis.conn.call("DBSIZE"));
    const frame = () => pl.DataFrame({ a: [1] });
    const expectInvalid = async (run: () => unknown, argument: string) => {
      const error: unknown = await (async () => run())().catch((e: unknown) => e);
      expect(InvalidArgumentError.isInstance(error)).toBe(true);
      expect((error as InvalidArgumentError).argument).toBe(argument);
    };
    await expectInvalid(() => cached(() => frame(), { connection: redis.conn }), "name");
    await expectInvalid(() => cached(frame, { connection: undefined as never }), "connection");
    await expectInvalid(
      () => cached(frame, { connection: redis.conn, staleWhileRevalidate: 5 }),
      "staleWhileRevalidate",
    );
    await expectInvalid(() => cached(frame, { connection: redis.conn, ttl: -5 }), "ttl");
    await expectInvalid(() => cached(frame, { connection: redis.conn, lockTtl: 0 }), "lockTtl");
    await expectInvalid(
      () => cached(frame, { connection: redis.conn, format: "ipc", compression: "gzip" }),
      "compression",
    );
    await expectInvalid(() => cached(frame, { connection: redis.conn, name: "a}b" }), "name");
    const report = cached(async (_value: unknown) => frame(), { connection: redis.conn, name: "args" });
    await expectInvalid(() => report(() => 1), "arguments[0]");
    await expectInvalid(() => report({ nested: [new (class Point {})()] }), "arguments[0].nested[0]");
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expectInvalid(() => report(circular), "arguments[0].self");
    const wrong = cached(async () => [1, 2] as never, { connection: redis.conn, name: "wrong" });
    await expectInvalid(() => wrong(), "fn");
    expect(Number(await redis.conn.call("DBSIZE"))).toBe(before);
  });
});

interface ChildHandle {
  child: ChildProcess;
  calling: Promise<{ key: string }>;
  done: Promise<Record<string, unknown>>;
}

function startChild(mode: "hang" | "compute", lockTtl: number): ChildHandle {
  const child = spawn(
    process.execPath,
    [fixture("cached-child.mjs"), redis.server.url, mode, String(lockTtl)],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr!.on("data", (chunk) => {
    stderr += chunk;
  });
  const lines = createInterface({ input: child.stdout! });
  const events = new Map<string, (value: never) => void>();
  const calling = new Promise<{ key: string }>((resolve) => events.set("calling", resolve as never));
  const done = new Promise<Record<string, unknown>>((resolve, reject) => {
    events.set("done", resolve as never);
    child.on("exit", (code, signal) => {
      if (code !== 0 && signal !== "SIGKILL") reject(new Error(`child exited ${code}: ${stderr}`));
    });
  });
  lines.on("line", (line) => {
    const event = JSON.parse(line) as { event: string };
    events.get(event.event)?.(event as never);
  });
  return { child, calling, done };
}
