import { spawn } from "node:child_process";
import { connect } from "@polars-redis/core";
import { waitFor } from "@polars-redis/testkit";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import { describe, expect, it } from "vitest";
import { createConsumer } from "../src/index.js";
import { fixture } from "./fixtures/fixture-path.js";
import { fillStream } from "./fixtures/streams.js";

const redis = useRedisConnection({ connect });

async function pending(stream: string, group: string): Promise<number> {
  return Number(((await redis.conn.call("XPENDING", stream, group)) as [number])[0]);
}

describe("graceful stop", () => {
  it("on SIGTERM: the batch in progress is finished and acknowledged, nothing new starts, the process exits 0", async () => {
    await fillStream(redis.conn, "term", 500, (i) => ({ n: i }));
    const child = spawn(process.execPath, [fixture("graceful-child.mjs"), redis.server.url, "term", "g"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    await waitFor(() => (output.match(/batch-start/g) ?? []).length === 2, {
      description: "the second batch under way",
      timeoutMs: 30_000,
    });
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect((output.match(/batch-start/g) ?? []).length).toBe(2);
    expect((output.match(/batch-end/g) ?? []).length).toBe(2);
    const stats = JSON.parse(/stopped (.*)/.exec(output)![1]!);
    expect(stats).toMatchObject({ delivered: 100, acked: 100, failed: 0 });
    expect(Number(await redis.conn.call("SCARD", "processed"))).toBe(100);
    expect(await pending("term", "g")).toBe(0);
  });

  it("on an AbortSignal: run() resolves after the handlers in progress, with their batches acknowledged", async () => {
    await fillStream(redis.conn, "abort", 400, (i) => ({ n: i }));
    const controller = new AbortController();
    const consumer = createConsumer(redis.conn, {
      stream: "abort",
      group: "g",
      consumer: "c",
      batchSize: 40,
      blockMs: 50,
      signal: controller.signal,
    });
    const finished: string[] = [];
    let started = 0;
    const run = consumer.run(
      async (batch) => {
        started++;
        await new Promise((resolve) => setTimeout(resolve, 200));
        finished.push(...batch.ids);
      },
      { concurrency: 3 },
    );
    await waitFor(() => started >= 3, {
      description: "three batches in progress at once",
      timeoutMs: 30_000,
    });
    controller.abort();
    const stats = await run;
    expect(finished.length).toBe(started * 40);
    expect(stats.acked).toBe(finished.length);
    expect(stats.delivered).toBe(finished.length);
    expect(await pending("abort", "g")).toBe(0);
    expect(consumer.signal.aborted).toBe(true);
  });
});
