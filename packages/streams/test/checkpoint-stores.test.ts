import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@polars-redis/core";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import { afterAll, describe, expect, it } from "vitest";
import {
  createFileCheckpointStore,
  createMemoryCheckpointStore,
  createRedisCheckpointStore,
} from "../src/index.js";
import { fixture } from "./fixtures/fixture-path.js";

const redis = useRedisConnection({ connect });
const dirs: string[] = [];

afterAll(async () => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "checkpoints-"));
  dirs.push(dir);
  return dir;
}

describe.each([
  ["memory", () => createMemoryCheckpointStore()],
  ["redis", () => createRedisCheckpointStore(redis.conn, { prefix: `cp:${Math.random()}:` })],
  ["file", () => createFileCheckpointStore(tempDir())],
])("%s checkpoint store", (_name, create) => {
  it("gets what was set, by name, and forgets deleted names", async () => {
    const store = create();
    expect(await store.get("a")).toBeUndefined();
    await store.set("a", "1-1");
    await store.set("b:with/odd name", "2-2@7");
    await store.set("a", "1-5");
    expect(await store.get("a")).toBe("1-5");
    expect(await store.get("b:with/odd name")).toBe("2-2@7");
    await store.delete("a");
    await store.delete("never-set");
    expect(await store.get("a")).toBeUndefined();
    expect(await store.get("b:with/odd name")).toBe("2-2@7");
  });

  it("keeps the last of many concurrent sets", async () => {
    const store = create();
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.set("c", `1-${i}`)));
    expect(await store.get("c")).toBe("1-49");
  });
});

describe("file checkpoint store", () => {
  it("survives a new store on the same directory (a restart)", async () => {
    const dir = tempDir();
    await createFileCheckpointStore(dir).set("orders", "9-9@99");
    expect(await createFileCheckpointStore(dir).get("orders")).toBe("9-9@99");
  });

  it("never leaves a torn or empty position when the writer is killed mid-write", async () => {
    for (let round = 0; round < 3; round++) {
      const dir = tempDir();
      const child = spawn(process.execPath, [fixture("checkpoint-writer.mjs"), dir], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      const exited = new Promise((resolve) => child.once("exit", resolve));
      await new Promise<void>((resolve, reject) => {
        child.stdout.once("data", () => resolve());
        child.once("exit", (code) => reject(new Error(`writer exited early (${code})`)));
      });
      // Let it write for a while, at a different moment each round, then kill it without warning.
      await new Promise((resolve) => setTimeout(resolve, 30 + round * 40));
      child.kill("SIGKILL");
      await exited;
      const position = await createFileCheckpointStore(dir).get("orders");
      expect(position).toMatch(/^1-(\d+)@\1$/);
      // Only the position file and, at most, the temporary file of the write that was cut short.
      expect(readdirSync(dir).filter((file) => !file.endsWith(".tmp"))).toEqual(["orders.checkpoint"]);
    }
  });
});
