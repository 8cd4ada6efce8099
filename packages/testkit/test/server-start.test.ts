import { existsSync } from "node:fs";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { type RedisServer, RedisServerError, RedisServerNotFoundError, startRedis } from "../src/index.js";
import { isProcessRunning } from "./fixtures/process-state.js";

/** A client that is closed before the test's servers stop (so it never logs reconnect errors). */
async function withClient<T>(server: RedisServer, use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({ host: server.host, port: server.port, maxRetriesPerRequest: 1 });
  try {
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

describe("startRedis", () => {
  it("starts two servers in parallel that are isolated from each other", async () => {
    await using first = await startRedis();
    await using second = await startRedis();
    const [a, b] = await Promise.all([startRedis(), startRedis()]);
    try {
      const ports = new Set([first.port, second.port, a.port, b.port]);
      expect(ports.size).toBe(4);
      expect(new Set([first.dataDir, second.dataDir, a.dataDir, b.dataDir]).size).toBe(4);
      await withClient(a, async (redis) => {
        await redis.set("only-in-a", "1");
        expect(await redis.get("only-in-a")).toBe("1");
      });
      await withClient(b, async (redis) => {
        expect(await redis.get("only-in-a")).toBeNull();
        expect(await redis.dbsize()).toBe(0);
      });
      expect(a.url).toBe(`redis://127.0.0.1:${a.port}`);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it("passes extra server arguments", async () => {
    await using server = await startRedis({
      args: ["--maxmemory", "10mb", "--maxmemory-policy", "noeviction"],
    });
    const [, maxmemory] = (await withClient(server, (redis) => redis.config("GET", "maxmemory"))) as string[];
    expect(maxmemory).toBe(String(10 * 1024 * 1024));
    expect(server.args).toContain("--maxmemory");
  });

  it("enables DEBUG so fault tests can use DEBUG SLEEP", async () => {
    await using server = await startRedis();
    expect(await withClient(server, (redis) => redis.call("DEBUG", "SLEEP", "0"))).toBe("OK");
  });

  it("stops the process and removes its data dir on dispose", async () => {
    let pid = 0;
    let dataDir = "";
    {
      await using server = await startRedis();
      pid = server.pid;
      dataDir = server.dataDir;
      expect(isProcessRunning(pid)).toBe(true);
      expect(existsSync(server.logFile)).toBe(true);
      expect(server.logTail()).toContain("Ready to accept connections");
    }
    expect(isProcessRunning(pid)).toBe(false);
    expect(existsSync(dataDir)).toBe(false);
  });

  it("reports a server that cannot start with the tail of its log", async () => {
    const failure = await startRedis({ args: ["--no-such-directive", "x"] }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(RedisServerError);
    expect((failure as RedisServerError).message).toContain("no-such-directive");
    expect((failure as RedisServerError).logTail).toContain("Bad directive");
  });

  it("says how to install redis-server when the binary is missing", async () => {
    const missingPath = "/nonexistent/redis-server";
    await expect(startRedis({ binary: missingPath })).rejects.toThrow(RedisServerNotFoundError);
    await expect(startRedis({ binary: missingPath })).rejects.toThrow("apt-get install -y redis-server");

    const savedBin = process.env.REDIS_SERVER_BIN;
    const savedPath = process.env.PATH;
    try {
      process.env.REDIS_SERVER_BIN = "";
      process.env.PATH = "/nonexistent-dir";
      const error = await startRedis().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(RedisServerNotFoundError);
      expect(String((error as Error).message)).toMatch(
        /not found on PATH.*apt-get install -y redis-server.*REDIS_SERVER_BIN/,
      );
      process.env.REDIS_SERVER_BIN = missingPath;
      await expect(startRedis()).rejects.toThrow(/REDIS_SERVER_BIN.*apt-get install -y redis-server/);
    } finally {
      if (savedBin === undefined) delete process.env.REDIS_SERVER_BIN;
      else process.env.REDIS_SERVER_BIN = savedBin;
      process.env.PATH = savedPath;
    }
  });
});
