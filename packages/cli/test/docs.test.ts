import { execFile } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cacheDataFrame } from "@polars-redis/cache";
import { type Command, connect, type RedisConnection } from "@polars-redis/core";
import { createConsumer } from "@polars-redis/streams";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN } from "./fixtures/run-cli.js";

/**
 * docs/cli.md holds one transcript per command, captured from real runs of the built binary. This test seeds a
 * server with the data the guide describes, runs every `$ ...` line of every ```console block in order (through
 * `sh`, with `polars-redis` on PATH and REDIS_URL set), and checks that each printed what the guide shows and
 * exited with the code it shows (`[exit N]`; no marker means 0). Run-to-run differences are normalised away:
 * durations, server-assigned stream ids, clock times, and the order of rows (SCAN order differs per server).
 *
 * UPDATE_TRANSCRIPTS=1 rewrites the outputs in docs/cli.md from the current run.
 */
const DOC = fileURLToPath(new URL("../../../docs/cli.md", import.meta.url));
const UPDATE = process.env.UPDATE_TRANSCRIPTS === "1";

interface Step {
  command: string;
  output: string[];
  /** Line index in the document of the command, and the number of output lines after it. */
  line: number;
  length: number;
}

function parseTranscripts(text: string): Step[] {
  const lines = text.split("\n");
  const steps: Step[] = [];
  let inBlock = false;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    if (line.startsWith("```")) {
      inBlock = !inBlock && line === "```console";
      continue;
    }
    if (!inBlock) continue;
    if (line.startsWith("$ ")) steps.push({ command: line.slice(2), output: [], line: index, length: 0 });
    else if (steps.length > 0) {
      const step = steps[steps.length - 1]!;
      step.output.push(line);
      step.length++;
    }
  }
  return steps;
}

function normalise(lines: readonly string[]): string[] {
  return lines
    .map((line) =>
      line
        .replace(/\b\d{13}-\d+\b/g, "<id>")
        .replace(/\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z\b/g, "<time>")
        .replace(/\b\d+(\.\d+)? (s|ms|min|h)\b/g, "<duration>")
        .replace(/\b(\d+[dhm] )*\d+[dhms]\b/g, "<duration>")
        .replace(/"elapsedMs":\d+/g, '"elapsedMs":<duration>')
        .replace(/^(generation: +)\S+/, "$1<generation>")
        .replace(/[─━┄┈═╌]+/g, "─")
        .replace(/\s+/g, " ")
        .trim(),
    )
    .filter((line) => line !== "")
    .sort();
}

/** The data the guide's transcripts were captured against. */
async function seed(conn: RedisConnection, dir: string): Promise<void> {
  const cities = ["Oslo", "Rome", "Lima"];
  const commands: Command[] = [];
  for (let i = 1; i <= 12; i++) {
    commands.push([
      "HSET",
      `user:${i}`,
      "name",
      `user${i}`,
      "age",
      20 + i * 3,
      "city",
      cities[i % 3]!,
      "joined",
      `2024-03-${String(i).padStart(2, "0")}`,
    ]);
  }
  for (let i = 1; i <= 6; i++) commands.push(["SET", `session:${i}`, "token", "EX", i * 1800]);
  for (let i = 1; i <= 3; i++) commands.push(["SET", `session:service:${i}`, "token"]);
  commands.push(["ZADD", "leaderboard", 310, "ann", 450, "bob", 120, "cy"]);
  const skus = ["apple", "pear", "broken", "plum"];
  for (const [i, sku] of skus.entries()) {
    commands.push(["XADD", "orders", `1700000000000-${i + 1}`, "sku", sku, "qty", i + 1]);
  }
  commands.push(["XGROUP", "CREATE", "orders", "audit", "0"]);
  commands.push(["TS.CREATE", "temp:kitchen", "LABELS", "room", "kitchen"]);
  commands.push(["TS.CREATE", "temp:hall", "LABELS", "room", "hall"]);
  for (let i = 0; i < 3; i++) {
    commands.push(["TS.ADD", "temp:kitchen", 1_700_000_000_000 + i * 60_000, 21 + i * 0.5]);
    commands.push(["TS.ADD", "temp:hall", 1_700_000_000_000 + i * 60_000, 18 + i]);
  }
  commands.push(["SET", "person:2", "an old string value"]);
  commands.push([
    "FT.CREATE",
    "users-idx",
    "ON",
    "HASH",
    "PREFIX",
    1,
    "user:",
    "SCHEMA",
    "name",
    "TEXT",
    "age",
    "NUMERIC",
    "SORTABLE",
    "city",
    "TAG",
  ]);
  const replies = await conn.batch(commands);
  expect(replies.filter((reply) => reply instanceof Error)).toEqual([]);
  await conn.call("XREADGROUP", "GROUP", "audit", "auditor-1", "COUNT", 2, "STREAMS", "orders", ">");

  // The dead letter: a billing consumer whose handler fails on "broken" until the entry is dead-lettered.
  const stop = new AbortController();
  const consumer = createConsumer(conn, {
    stream: "orders",
    group: "billing",
    consumer: "billing-1",
    maxDeliveries: 3,
    blockMs: 100,
    redeliveryDelay: () => 10,
    signal: stop.signal,
  });
  const running = consumer.run(async (batch) => {
    if ((batch.frame.getColumn("sku").toArray() as string[]).includes("broken")) {
      throw new Error("no price for sku broken");
    }
  });
  const deadline = Date.now() + 60_000;
  while (
    (await conn.call("XLEN", "orders:dead-letter")) !== 1 ||
    ((await conn.call("XPENDING", "orders", "billing")) as unknown[])[0] !== 0
  ) {
    if (Date.now() > deadline) throw new Error("the docs fixture's dead letter never arrived");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  stop.abort();
  await running;

  await cacheDataFrame(conn, "reports:daily", pl.DataFrame({ day: ["mon", "tue"], orders: [120, 98] }), {
    ttl: 86_400,
  });
  await cacheDataFrame(conn, "reports:weekly", pl.DataFrame({ week: [48], orders: [1310] }), {
    format: "parquet",
    compression: "zstd",
  });

  await writeFile(join(dir, "people.csv"), "id,name,team\n1,ann,core\n2,bob,search\n3,cy,cache\n");
  // `polars-redis` on PATH, as after `npm install -g @polars-redis/cli`.
  await writeFile(join(dir, "polars-redis"), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  await chmod(join(dir, "polars-redis"), 0o755);
}

function runShell(command: string, dir: string, url: string): Promise<{ code: number; output: string[] }> {
  return new Promise((resolve) => {
    execFile(
      "sh",
      ["-c", command],
      {
        cwd: dir,
        env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, REDIS_URL: url, COLUMNS: "120" },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
        const lines = `${stdout}${stderr}`.replace(/\n$/, "").split("\n");
        resolve({ code, output: stdout === "" && stderr === "" ? [] : lines });
      },
    );
  });
}

describe("docs/cli.md transcripts", () => {
  const redis = useRedisConnection({ connect, modules: ["timeseries", "search"] });
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "polars-redis-cli-docs-"));
    await seed(redis.conn, dir);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("every documented command prints what the guide shows", async () => {
    const text = await readFile(DOC, "utf8");
    const steps = parseTranscripts(text);
    expect(steps.length).toBeGreaterThan(20);
    const lines = text.split("\n");
    const replacements: { step: Step; output: string[] }[] = [];
    for (const step of steps) {
      const { code, output } = await runShell(step.command, dir, redis.url);
      const shown = code === 0 ? output : [...output, `[exit ${code}]`];
      if (UPDATE) {
        replacements.push({ step, output: shown });
        continue;
      }
      const documentedExit = /^\[exit (\d+)\]$/.exec(step.output[step.output.length - 1] ?? "");
      expect(code, `exit code of: ${step.command}\n${output.join("\n")}`).toBe(
        documentedExit ? Number(documentedExit[1]) : 0,
      );
      expect(normalise(shown), `output of: ${step.command}`).toEqual(normalise(step.output));
    }
    if (UPDATE) {
      for (const { step, output } of replacements.reverse())
        lines.splice(step.line + 1, step.length, ...output);
      await writeFile(DOC, lines.join("\n"));
    }
  }, 600_000);
});
