import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Command, connect } from "@polars-redis/core";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseJson, runCli, startCli } from "./fixtures/run-cli.js";

interface WriteSummary {
  written: number;
  skipped: number;
  failed: number;
  interrupted: boolean;
  errors: { code: string; keys: number; sample: string[] }[];
  failedKeys: string[];
  retryRows: number;
  retryFile: string | null;
}

describe("write", () => {
  const redis = useRedisConnection({ connect });
  let dir: string;
  const run = (args: string[]) => runCli(args, { url: redis.url, cwd: dir });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "polars-redis-cli-write-"));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("writes one hash per CSV row and prints the per-key summary", async () => {
    await writeFile(join(dir, "people.csv"), "id,name,score\n1,ann,3.5\n2,bob,4\n3,cy,\n");
    const result = await run([
      "write",
      "hash",
      "--from",
      "people.csv",
      "--key-column",
      "id",
      "--key-prefix",
      "person:",
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^3 keys written, 0 skipped, 0 failed in /);
    expect(await redis.conn.call("HGETALL", "person:1")).toEqual(["name", "ann", "score", "3.5"]);
    expect(await redis.conn.call("HGETALL", "person:3")).toEqual(["name", "cy"]);
  });

  it("reports failed keys by Redis error, saves their rows to a retry file, and the retry succeeds after a fix", async () => {
    await writeFile(join(dir, "orders.csv"), "id,item,qty\n10,apple,1\n11,pear,2\n12,plum,3\n");
    await redis.conn.call("SET", "order:11", "not a hash");
    const failed = await run([
      "write",
      "hash",
      "--from",
      "orders.csv",
      "--key-column",
      "id",
      "--key-prefix",
      "order:",
      "--if-exists",
      "append",
      "--json",
    ]);
    expect(failed.code, failed.stderr).toBe(5);
    const summary = parseJson<WriteSummary>(failed);
    expect(summary).toMatchObject({ written: 2, failed: 1, failedKeys: ["order:11"], retryRows: 1 });
    expect(summary.errors).toEqual([
      expect.objectContaining({ code: "WRONGTYPE", keys: 1, sample: ["order:11"] }),
    ]);
    expect(summary.retryFile).toBe("orders.failed.csv");
    expect(await readFile(join(dir, "orders.failed.csv"), "utf8")).toBe("id,item,qty\n11,pear,2\n");

    await redis.conn.call("DEL", "order:11");
    const retried = await run([
      "write",
      "hash",
      "--from",
      "orders.failed.csv",
      "--key-column",
      "id",
      "--key-prefix",
      "order:",
      "--if-exists",
      "append",
    ]);
    expect(retried.code, retried.stderr).toBe(0);
    expect(retried.stdout).toMatch(/^1 key written, 0 skipped, 0 failed/);
    expect(await redis.conn.call("HGETALL", "order:11")).toEqual(["item", "pear", "qty", "2"]);
  });

  it("skips existing keys with --if-exists fail", async () => {
    const result = await run([
      "write",
      "hash",
      "--from",
      "people.csv",
      "--key-column",
      "id",
      "--key-prefix",
      "person:",
      "--if-exists",
      "fail",
      "--json",
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(parseJson<WriteSummary>(result)).toMatchObject({
      written: 0,
      skipped: 3,
      failed: 0,
      retryFile: null,
    });
  });

  it("writes back what scan exported, TTLs included (_key and _ttl columns)", async () => {
    await redis.conn.batch([
      ["HSET", "src:1", "a", "1", "b", "x"],
      ["HSET", "src:2", "a", "2", "b", "y"],
      ["PEXPIRE", "src:2", 600_000],
    ]);
    const exported = await run(["scan", "hash", "src:*", "--with-ttl", "-o", "src.parquet"]);
    expect(exported.code, exported.stderr).toBe(0);
    const written = await run([
      "write",
      "hash",
      "--from",
      "src.parquet",
      "--key-prefix",
      "copy:",
      "--ttl-column",
      "_ttl",
    ]);
    expect(written.code, written.stderr).toBe(0);
    expect(await redis.conn.call("HGETALL", "copy:src:1")).toEqual(["a", "1", "b", "x"]);
    expect(await redis.conn.call("PTTL", "copy:src:1")).toBe(-1);
    const ttl = (await redis.conn.call("PTTL", "copy:src:2")) as number;
    expect(ttl).toBeGreaterThan(500_000);
    expect(ttl).toBeLessThanOrEqual(600_000);
  });

  it("writes sorted sets from member and score columns, NDJSON input", async () => {
    await writeFile(
      join(dir, "scores.ndjson"),
      [
        '{"board":"b:1","player":"ann","points":3}',
        '{"board":"b:1","player":"bob","points":7}',
        '{"board":"b:2","player":"cy","points":1}',
      ].join("\n"),
    );
    const result = await run([
      "write",
      "zset",
      "--from",
      "scores.ndjson",
      "--key-column",
      "board",
      "--member-column",
      "player",
      "--score-column",
      "points",
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^2 keys written/);
    expect(await redis.conn.call("ZRANGE", "b:1", 0, -1, "WITHSCORES")).toEqual(["ann", "3", "bob", "7"]);
  });

  it("exits 2 for a missing key column, naming the file's columns, and writes nothing", async () => {
    const result = await run(["write", "hash", "--from", "people.csv", "--key-column", "nope"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("its columns are: id, name, score");
    const missing = await run(["write", "hash", "--from", "missing.csv"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("cannot read missing.csv");
  });

  it("stops a long write on Ctrl-C: exit 130, every key complete or absent, the rest in the retry file", async () => {
    const rows = 150_000;
    const ids = Array.from({ length: rows }, (_, i) => i);
    pl.DataFrame({ id: ids, a: ids.map((i) => `a${i}`), b: ids.map((i) => `b${i}`) }).writeCSV(
      join(dir, "big.csv"),
    );
    const cli = startCli(
      [
        "write",
        "hash",
        "--from",
        "big.csv",
        "--key-column",
        "id",
        "--key-prefix",
        "w:",
        "--batch-size",
        "1",
        "--progress",
        "--json",
      ],
      {
        url: redis.url,
        cwd: dir,
      },
    );
    await cli.waitForStderr(/progress write: [1-9]\d*\/150000 keys/, 60_000);
    cli.child.kill("SIGINT");
    const result = await cli.done;
    expect(result.code, result.stderr).toBe(130);
    const summary = parseJson<WriteSummary>(result);
    expect(summary.interrupted).toBe(true);
    expect(summary.written).toBeGreaterThan(0);
    expect(summary.written).toBeLessThan(rows);
    // Everything not confirmed written is in the retry file.
    expect(summary.retryRows).toBe(rows - summary.written);
    const retry = pl.readCSV(await readFile(join(dir, "big.failed.csv")));
    expect(retry.height).toBe(rows - summary.written);
    // No key is half-written: each one present has both fields.
    let present = 0;
    for await (const keys of redis.conn.scanKeys({ pattern: "w:*", count: 1000 })) {
      const lengths = await redis.conn.batch(keys.map((key): Command => ["HLEN", key]));
      for (const length of lengths) expect(length).toBe(2);
      present += keys.length;
    }
    expect(present).toBeGreaterThanOrEqual(summary.written);
  });
});
