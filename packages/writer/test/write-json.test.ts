import { InvalidArgumentError, type RedisCommandError } from "@polars-redis/core";
import { InMemoryModules } from "@polars-redis/testkit";
import pl from "nodejs-polars";
import { describe, expect, it } from "vitest";
import { redisJsonSink, writeJson } from "../src/index.js";
import { reportSkippedLane, STACK_URL, useStackLane } from "./fixtures/stack-lane.js";

const frame = () =>
  pl.DataFrame([
    pl.Series("_key", ["doc:1", "doc:2", "doc:3"]),
    pl.Series("name", ["ada", null, null]),
    pl.Series("big", ["9007199254740993", "-1", null]).cast(pl.Int64),
    pl.Series("ok", [true, null, null]),
    pl.Series("at", [new Date(Date.UTC(2024, 0, 15, 10, 30)), null, null]),
    pl.Series("tags", [["a", "b"], [], null], pl.List(pl.Utf8)),
  ]);

describe("writeJson (RedisJSON, against a fake that answers as the command reference says)", () => {
  it("sends one JSON.SET per row with exact numbers and ISO dates, PERSIST in replace mode, and skips empty rows", async () => {
    const fake = new InMemoryModules();
    const result = await writeJson(fake, frame());
    expect(result.written).toBe(2);
    expect(result.skippedKeys).toEqual(["doc:3"]);
    expect(fake.commands).toEqual([
      [
        "JSON.SET",
        "doc:1",
        "$",
        '{"name":"ada","big":9007199254740993,"ok":true,"at":"2024-01-15T10:30:00.000","tags":["a","b"]}',
      ],
      ["PERSIST", "doc:1"],
      ["JSON.SET", "doc:2", "$", '{"big":-1,"tags":[]}'],
      ["PERSIST", "doc:2"],
    ]);
  });

  it("merges in append mode and sets TTLs", async () => {
    const fake = new InMemoryModules();
    fake.json.set("doc:1", { name: "old", keep: 1 });
    await writeJson(fake, frame().head(1).select("_key", "name"), { ifExists: "append", ttl: 5 });
    expect(fake.json.get("doc:1")).toEqual({ name: "ada", keep: 1 });
    expect(fake.commands.map(([name]) => name)).toEqual(["JSON.MERGE", "PEXPIRE"]);
    expect(fake.expiries.get("doc:1")).toBe(5000);
  });

  it("fail mode uses NX, reports existing keys as skipped, and sets a TTL only on keys it created", async () => {
    const fake = new InMemoryModules();
    fake.json.set("doc:1", { old: true });
    const result = await writeJson(fake, frame(), { ifExists: "fail", ttl: 10 });
    expect([...result.skippedKeys].sort()).toEqual(["doc:1", "doc:3"]);
    expect(result.written).toBe(1);
    expect(fake.json.get("doc:1")).toEqual({ old: true });
    expect(fake.commands.filter(([name]) => name === "PEXPIRE")).toEqual([["PEXPIRE", "doc:2", "10000"]]);
  });

  it("reports WRONGTYPE per key", async () => {
    const fake = new InMemoryModules();
    fake.strings.set("doc:2", "a string");
    const result = await writeJson(fake, frame());
    expect(result.failedKeys()).toEqual(["doc:2"]);
    expect((result.errors.get("doc:2") as RedisCommandError).redisCode).toBe("WRONGTYPE");
  });

  it("refuses NaN and infinity (JSON has no such numbers) before writing", async () => {
    const fake = new InMemoryModules();
    const error = await writeJson(fake, pl.DataFrame({ _key: ["a"], x: [Number.NaN] })).catch(
      (e: unknown) => e,
    );
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect(fake.commands).toEqual([]);
  });

  it("redisJsonSink writes documents and a replay leaves the same state", async () => {
    const fake = new InMemoryModules();
    const sink = redisJsonSink(fake);
    const context = { signal: new AbortController().signal, attempt: 1 };
    await sink.write(frame(), context);
    const before = structuredClone([...fake.json]);
    await sink.write(frame(), { ...context, attempt: 2 });
    expect([...fake.json]).toEqual(before);
  });
});

reportSkippedLane("writeJson");

describe.skipIf(!STACK_URL)("writeJson live (REDIS_STACK_URL)", () => {
  const stack = useStackLane();

  it("writes, merges and skips documents on a real RedisJSON", async () => {
    const result = await writeJson(stack.conn, frame(), { keyPrefix: stack.prefix, ttl: 600 });
    expect(result.written).toBe(2);
    const stored = (await stack.conn.call("JSON.GET", `${stack.prefix}doc:1`, "$")) as string;
    expect(stored).toContain("9007199254740993");
    expect(JSON.parse(stored)).toEqual([
      { name: "ada", big: 9007199254740992, ok: true, at: "2024-01-15T10:30:00.000", tags: ["a", "b"] },
    ]);
    expect(await stack.conn.call("TTL", `${stack.prefix}doc:1`)).toBeGreaterThan(0);
    await writeJson(stack.conn, pl.DataFrame({ _key: ["doc:2"], extra: ["x"] }), {
      keyPrefix: stack.prefix,
      ifExists: "append",
    });
    expect(JSON.parse((await stack.conn.call("JSON.GET", `${stack.prefix}doc:2`, "$")) as string)).toEqual([
      { big: -1, tags: [], extra: "x" },
    ]);
    const skipped = await writeJson(stack.conn, frame(), { keyPrefix: stack.prefix, ifExists: "fail" });
    expect(skipped.skipped).toBe(3);
  });
});
