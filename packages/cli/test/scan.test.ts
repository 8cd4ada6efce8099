import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Command, connect } from "@polars-redis/core";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseJson, runCli, startCli } from "./fixtures/run-cli.js";

const CITIES = ["Oslo", "Rome", "Lima"];
const USERS = Array.from({ length: 40 }, (_, i) => ({
  key: `user:${i}`,
  name: `name${i}`,
  age: 20 + i,
  city: CITIES[i % 3]!,
  joined: `2024-02-${String((i % 28) + 1).padStart(2, "0")}`,
}));
const BIG_KEYS = 60_000;

function ndjson(stdout: string): Record<string, unknown>[] {
  return stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("scan and infer", () => {
  const redis = useRedisConnection({ connect, modules: ["timeseries", "json"] });
  let dir: string;
  const run = (args: string[], cwd?: string) => runCli(args, { url: redis.url, cwd: cwd ?? dir });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "polars-redis-cli-scan-"));
    const commands: Command[] = USERS.map((u) => [
      "HSET",
      u.key,
      "name",
      u.name,
      "age",
      u.age,
      "city",
      u.city,
      "joined",
      u.joined,
    ]);
    commands.push(["SET", "user:not-a-hash", "x"]); // matches the pattern, other type: never read
    for (let i = 0; i < 5; i++) commands.push(["SET", `str:${i}`, String(i * 10)]);
    for (let i = 0; i < 3; i++) commands.push(["SADD", `tags:${i}`, "a", "b", `c${i}`]);
    for (let i = 0; i < 2; i++) commands.push(["RPUSH", `queue:${i}`, "x", "y", "z", "w"]);
    commands.push(["ZADD", "board:1", 10, "ann", 20, "bob", 5, "cy"]);
    for (let i = 1; i <= 6; i++)
      commands.push(["XADD", "events:1", `1700000000000-${i}`, "kind", i % 2 ? "buy" : "sell", "amount", i]);
    commands.push(["JSON.SET", "doc:1", ".", '{"a":1,"b":"x"}']); // ReJSON 1.0.8: legacy paths only
    commands.push(["TS.CREATE", "temp:kitchen", "LABELS", "room", "kitchen"]);
    for (let i = 0; i < 10; i++)
      commands.push(["TS.ADD", "temp:kitchen", 1_700_000_000_000 + i * 1000, 20 + i / 2]);
    for (let i = 0; i < BIG_KEYS; i++) commands.push(["HSET", `big:${i}`, "a", i, "b", `x${i}`]);
    const replies = await redis.conn.batch(commands);
    expect(replies.filter((reply) => reply instanceof Error)).toEqual([]);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("scans every hash of a pattern to CSV, skipping keys of other types", async () => {
    const result = await run(["scan", "hash", "user:*", "--format", "csv"]);
    expect(result.code, result.stderr).toBe(0);
    const frame = pl.readCSV(result.stdout);
    expect(frame.columns).toEqual(["_key", "age", "city", "joined", "name"]);
    expect(frame.height).toBe(USERS.length);
    expect((frame.getColumn("_key").toArray() as string[]).sort()).toEqual(USERS.map((u) => u.key).sort());
    expect(result.stderr).toContain("schema inferred from 40 keys");
    expect(result.stderr).toContain("40 rows from 40 keys");
  });

  it("filters with a SQL --where, projects --columns and counts --limit after the filter", async () => {
    const expected = USERS.filter((u) => u.age >= 40 && u.city === "Oslo")
      .map((u) => u.name)
      .sort();
    const all = await run([
      "scan",
      "hash",
      "user:*",
      "--where",
      "age >= 40 AND city = 'Oslo'",
      "--columns",
      "name,age,city",
      "--format",
      "ndjson",
    ]);
    expect(all.code, all.stderr).toBe(0);
    const rows = ndjson(all.stdout);
    expect(rows.map((row) => row.name).sort()).toEqual(expected);
    for (const row of rows) expect(Object.keys(row)).toEqual(["_key", "name", "age", "city"]);

    const limited = await run([
      "scan",
      "hash",
      "user:*",
      "--where",
      "age >= 40 AND city = 'Oslo'",
      "--limit",
      "2",
      "--format",
      "ndjson",
      "--batch-size",
      "5",
    ]);
    expect(limited.code, limited.stderr).toBe(0);
    const few = ndjson(limited.stdout);
    expect(few).toHaveLength(2);
    for (const row of few) expect(expected).toContain(row.name);
  });

  it("names the columns when --where refers to one that does not exist (exit 2)", async () => {
    const result = await run(["scan", "hash", "user:*", "--where", "agee > 3"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("not a valid SQL predicate");
    expect(result.stderr).toContain('valid columns: ["_key", "age", "city", "joined", "name"]');
  });

  it("saves an inferred schema that --schema reads back (edited)", async () => {
    const inferred = await run(["infer", "hash", "user:*", "--json", "-o", "users.schema.json"]);
    expect(inferred.code, inferred.stderr).toBe(0);
    const report = parseJson<{
      sampleCount: number;
      fields: Record<string, { dtype: string; confidence: number }>;
    }>(inferred);
    expect(report.sampleCount).toBe(40);
    expect(report.fields.age!.dtype).toBe("int64");
    expect(report.fields.joined!.dtype).toBe("date");
    expect(report.fields.age!.confidence).toBeGreaterThan(0.8);
    expect(report.fields.age!.confidence).toBeLessThanOrEqual(1);

    const file = JSON.parse(await readFile(join(dir, "users.schema.json"), "utf8"));
    expect(file.fields).toEqual({ age: "int64", city: "utf8", joined: "date", name: "utf8" });
    file.fields.age = "utf8"; // the user overrides one dtype
    delete file.fields.joined;
    await writeFile(join(dir, "edited.schema.json"), JSON.stringify(file));
    const scanned = await run([
      "scan",
      "hash",
      "user:*",
      "--schema",
      "edited.schema.json",
      "--format",
      "ndjson",
      "--limit",
      "3",
    ]);
    expect(scanned.code, scanned.stderr).toBe(0);
    const rows = ndjson(scanned.stdout);
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(typeof row.age).toBe("string");
      expect(Object.keys(row)).toEqual(["_key", "age", "city", "name"]);
    }
    expect(scanned.stderr).not.toContain("schema inferred");
  });

  it("prints a terminal table with --format table", async () => {
    const result = await run([
      "scan",
      "hash",
      "user:*",
      "--format",
      "table",
      "--limit",
      "3",
      "--columns",
      "name",
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("shape: (3, 2)");
    expect(result.stdout).toMatch(/│ user:\d+ +┆ name\d+ +│/);
  });

  it("scans strings, sets, lists, sorted sets, streams and time series", async () => {
    const strings = await run(["scan", "string", "str:*", "--dtype", "int64", "--format", "ndjson"]);
    expect(strings.code, strings.stderr).toBe(0);
    expect(
      ndjson(strings.stdout)
        .map((row) => row.value)
        .sort((a, b) => Number(a) - Number(b)),
    ).toEqual([0, 10, 20, 30, 40]);

    const sets = await run(["scan", "set", "tags:*", "--format", "ndjson"]);
    expect(sets.code, sets.stderr).toBe(0);
    expect(ndjson(sets.stdout)).toHaveLength(9);

    const lists = await run(["scan", "list", "queue:*", "--format", "ndjson", "--columns", "element"]);
    expect(lists.code, lists.stderr).toBe(0);
    const elements = ndjson(lists.stdout);
    expect(elements).toHaveLength(8);
    expect(Object.keys(elements[0]!)).toEqual(["_key", "element"]);

    const zsets = await run(["scan", "zset", "board:*", "--format", "ndjson", "--where", "score >= 10"]);
    expect(zsets.code, zsets.stderr).toBe(0);
    expect(ndjson(zsets.stdout).map((row) => [row.member, row.score])).toEqual([
      ["ann", 10],
      ["bob", 20],
    ]);

    const streams = await run([
      "scan",
      "stream",
      "events:*",
      "--format",
      "ndjson",
      "--start",
      "1700000000000-3",
    ]);
    expect(streams.code, streams.stderr).toBe(0);
    const entries = ndjson(streams.stdout);
    expect(entries.map((row) => row._id)).toEqual([
      "1700000000000-3",
      "1700000000000-4",
      "1700000000000-5",
      "1700000000000-6",
    ]);
    expect(entries[0]!.kind).toBe("buy");

    const series = await run([
      "scan",
      "timeseries",
      "temp:*",
      "--format",
      "ndjson",
      "--labels",
      "room",
      "--where",
      "value >= 23",
    ]);
    expect(series.code, series.stderr).toBe(0);
    const samples = ndjson(series.stdout);
    expect(samples.map((row) => row.value)).toEqual([23, 23.5, 24, 24.5]);
    expect(samples[0]!.room).toBe("kitchen");
  });

  it("reports a JSON server that cannot answer JSONPath ($) as a Redis error (exit 6)", async () => {
    // Core's JSON scans use JSONPath, which needs RedisJSON 2; this machine has the old ReJSON 1.0.8 only. The
    // live lane below runs the JSON scan against a real RedisJSON 2 when REDIS_STACK_URL names one.
    const result = await run(["scan", "json", "doc:*", "--format", "ndjson"]);
    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(/^polars-redis: /m);
    expect(result.stdout).toBe("");
  });

  it.runIf(process.env.REDIS_STACK_URL)("scans JSON documents on RedisJSON 2 (REDIS_STACK_URL)", async () => {
    const stack = await connect(process.env.REDIS_STACK_URL!);
    const prefix = `polars-redis-cli-test:${process.pid}:${Date.now()}:`;
    try {
      await stack.call("JSON.SET", `${prefix}1`, "$", '{"name":"ann","age":31,"address":{"city":"Oslo"}}');
      await stack.call("JSON.SET", `${prefix}2`, "$", '{"name":"bob","age":42,"address":{"city":"Rome"}}');
      const result = await runCli(
        ["scan", "json", `${prefix}*`, "--format", "ndjson", "--where", "age > 40"],
        {
          url: process.env.REDIS_STACK_URL!,
        },
      );
      expect(result.code, result.stderr).toBe(0);
      expect(ndjson(result.stdout).map((row) => row.name)).toEqual(["bob"]);
    } finally {
      await stack.call("DEL", `${prefix}1`, `${prefix}2`);
      await stack.close();
    }
  });

  it("writes Parquet and Arrow IPC files that read back", async () => {
    const parquet = await run(["scan", "hash", "user:*", "-o", "users.parquet"]);
    expect(parquet.code, parquet.stderr).toBe(0);
    const frame = pl.readParquet(await readFile(join(dir, "users.parquet")));
    expect(frame.height).toBe(40);
    expect(frame.getColumn("age").dtype.equals(pl.Int64)).toBe(true);
    const ipc = await run(["scan", "zset", "board:*", "-o", "board.arrow"]);
    expect(ipc.code, ipc.stderr).toBe(0);
    expect(pl.readIPC(await readFile(join(dir, "board.arrow"))).height).toBe(3);
  });

  it("exits 4 for a key space with no keys of the type, and writes no file", async () => {
    const missing = await run(["scan", "hash", "nobody:*", "-o", "nobody.csv"]);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('no hash keys match "nobody:*"');
    expect(missing.stdout).toBe("");
    const sets = await run(["scan", "set", "user:*"]);
    expect(sets.code).toBe(4);
    expect((await readdir(dir)).filter((name) => name.includes("nobody"))).toEqual([]);
  });

  it("stops a long scan on Ctrl-C (SIGINT): exit 130, no output file, no partial file", async () => {
    const work = await mkdtemp(join(tmpdir(), "polars-redis-cli-sigint-"));
    try {
      const cli = startCli(["scan", "hash", "big:*", "--batch-size", "1", "-o", "big.csv", "--progress"], {
        url: redis.url,
        cwd: work,
      });
      // Interrupt once the scan is under way (rows are being written to the temporary file).
      await cli.waitForStderr(/progress scan: \d+ keys, [1-9]\d* rows/, 60_000);
      cli.child.kill("SIGINT");
      const result = await cli.done;
      expect(result.code, result.stderr).toBe(130);
      expect(result.stderr).toContain("interrupted (SIGINT)");
      expect(result.stderr).not.toMatch(/rows from \d+ keys/); // it did not finish
      expect(await readdir(work)).toEqual([]);
      // The server is fine and the connection was closed: another command runs normally.
      const after = await run(["keys", "count", "big:*", "--json"], work);
      expect(parseJson(after).count).toBe(BIG_KEYS);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});
