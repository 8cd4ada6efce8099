import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectCluster } from "@polars-redis/cluster";
import type { Command } from "@polars-redis/core";
import { useClusterConnection } from "@polars-redis/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseJson, runCli } from "./fixtures/run-cli.js";

const USERS = 300;

describe("on a Redis Cluster (--cluster)", () => {
  const fixture = useClusterConnection({ connect: (cluster) => connectCluster(cluster.seeds) });
  let dir: string;
  /** Any one node's URL is enough for --cluster (not the first one here); the CLI finds the others. */
  const run = (args: string[]) => {
    const url = fixture.cluster.urls[1];
    if (url === undefined) throw new Error("the cluster fixture has fewer than two nodes");
    return runCli([...args, "--cluster"], { url, cwd: dir });
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "polars-redis-cli-cluster-"));
    const commands: Command[] = [];
    for (let i = 0; i < USERS; i++) commands.push(["HSET", `user:${i}`, "name", `n${i}`, "age", i % 90]);
    for (let i = 1; i <= 4; i++) commands.push(["XADD", "{orders}", "*", "sku", `s${i}`]);
    commands.push(["XGROUP", "CREATE", "{orders}", "billing", "0"]);
    const replies = await fixture.conn.batch(commands);
    expect(replies.filter((reply) => reply instanceof Error)).toEqual([]);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("scans and counts keys on every master", async () => {
    const count = await run(["keys", "count", "user:*", "--json"]);
    expect(count.code, count.stderr).toBe(0);
    expect(parseJson(count).count).toBe(USERS);
    const scan = await run(["scan", "hash", "user:*", "--format", "ndjson", "--where", "age >= 80"]);
    expect(scan.code, scan.stderr).toBe(0);
    const rows = scan.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { age: number });
    expect(rows).toHaveLength(
      Array.from({ length: USERS }, (_, i) => i % 90).filter((age) => age >= 80).length,
    );
  });

  it("writes keys spread over every slot range, and deletes them", async () => {
    const lines = ["id,v", ...Array.from({ length: 200 }, (_, i) => `${i},${i * 2}`)];
    await writeFile(join(dir, "values.csv"), `${lines.join("\n")}\n`);
    const written = await run([
      "write",
      "hash",
      "--from",
      "values.csv",
      "--key-column",
      "id",
      "--key-prefix",
      "v:",
      "--json",
    ]);
    expect(written.code, written.stderr).toBe(0);
    expect(parseJson(written)).toMatchObject({ written: 200, failed: 0 });
    expect(await fixture.conn.call("HGET", "v:123", "v")).toBe("246");
    const deleted = await run(["keys", "delete", "v:*", "--yes", "--json"]);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(parseJson(deleted)).toMatchObject({ matched: 200, deleted: 200, failed: 0 });
  });

  it("shows a stream's groups and lag from the node that holds it", async () => {
    const info = await run(["streams", "info", "{orders}", "--json"]);
    expect(info.code, info.stderr).toBe(0);
    expect(parseJson(info)).toMatchObject({ stream: "{orders}", length: 4 });
    const lag = await run(["streams", "lag", "{orders}", "--json"]);
    expect(parseJson<{ groups: { name: string; lag: number }[] }>(lag).groups).toEqual([
      expect.objectContaining({ name: "billing", lag: 4 }),
    ]);
  });

  it("exits 3 when no seed node answers", async () => {
    const result = await runCli([
      "keys",
      "count",
      "*",
      "--cluster",
      "--url",
      "redis://127.0.0.1:1",
      "--connect-timeout",
      "2000",
    ]);
    expect(result.code).toBe(3);
  });
});
