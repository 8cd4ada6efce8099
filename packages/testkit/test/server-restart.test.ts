import { createServer } from "node:net";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { type RedisServer, startRedis, waitFor } from "../src/index.js";
import { isProcessRunning } from "./fixtures/process-state.js";

async function withClient<T>(server: RedisServer, use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({ host: server.host, port: server.port, maxRetriesPerRequest: 1 });
  try {
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

describe("kill() and restart()", () => {
  it("keeps AOF data across kill -9 and restart when persistence is on", async () => {
    await using server = await startRedis({ persistence: true });
    const { port, dataDir } = server;
    await withClient(server, async (redis) => {
      const pipeline = redis.pipeline();
      for (let i = 0; i < 500; i++) pipeline.set(`key:${i}`, `value:${i}`);
      await pipeline.exec();
      await redis.hset("hash", { a: "1", b: "2" });
    });
    const killedPid = server.pid;
    await server.kill();
    expect(server.isRunning()).toBe(false);
    expect(isProcessRunning(killedPid)).toBe(false);

    await server.restart();
    expect(server.pid).not.toBe(killedPid);
    expect(server.port).toBe(port);
    expect(server.dataDir).toBe(dataDir);
    await withClient(server, async (redis) => {
      expect(await redis.dbsize()).toBe(501);
      expect(await redis.get("key:499")).toBe("value:499");
      expect(await redis.hgetall("hash")).toEqual({ a: "1", b: "2" });
    });
  });

  it("loses the data across kill -9 and restart without persistence", async () => {
    await using server = await startRedis();
    await withClient(server, (redis) => redis.set("volatile", "1"));
    await server.kill();
    await server.restart();
    await withClient(server, async (redis) => {
      expect(await redis.get("volatile")).toBeNull();
      expect(await redis.dbsize()).toBe(0);
    });
  });

  it("restarts a running server gracefully on the same port", async () => {
    await using server = await startRedis({ persistence: true });
    await withClient(server, (redis) => redis.set("survives", "yes"));
    const before = server.pid;
    await server.restart();
    expect(server.pid).not.toBe(before);
    expect(isProcessRunning(before)).toBe(false);
    await withClient(server, async (redis) => expect(await redis.get("survives")).toBe("yes"));
  });

  it("waits for its port when another process holds it at restart", async () => {
    await using server = await startRedis();
    await server.kill();
    // The squatter hangs up on whoever connects (our readiness probe included).
    const squatter = createServer((socket) => socket.destroy());
    await new Promise<void>((resolvePromise) =>
      squatter.listen({ host: "127.0.0.1", port: server.port }, resolvePromise),
    );
    const restarted = server.restart();
    // Release the port only once redis-server has really failed to bind it at least once.
    await waitForLog(server, /Address already in use/);
    await new Promise<void>((resolvePromise) => squatter.close(() => resolvePromise()));
    await restarted;
    expect(server.isRunning()).toBe(true);
    await withClient(server, async (redis) => expect(await redis.ping()).toBe("PONG"));
  });

  it("refuses to restart after stop()", async () => {
    const server = await startRedis();
    await server.stop();
    await expect(server.restart()).rejects.toThrow(/stopped/);
  });
});

async function waitForLog(server: RedisServer, pattern: RegExp): Promise<void> {
  await waitFor(() => pattern.test(server.logTail(200)), {
    timeoutMs: 20_000,
    onTimeout: () => new Error(`log never matched ${pattern}:\n${server.logTail()}`),
  });
}
