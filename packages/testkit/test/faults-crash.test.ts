import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { crashAndRestart, loadingStateArgs, restartIntoLoading, startRedis } from "../src/index.js";

describe("crashAndRestart", () => {
  it("with persistence, every acknowledged write survives kill -9", async () => {
    await using server = await startRedis({ persistence: true });
    const redis = new Redis(server.url, { retryStrategy: () => 50 });
    redis.on("error", () => {});
    await redis.set("crash:kept", "yes");
    await redis.hset("crash:hash", { a: "1", b: "2" });
    const pidBefore = server.pid;
    await crashAndRestart(server);
    expect(server.pid).not.toBe(pidBefore);
    expect(await redis.get("crash:kept")).toBe("yes");
    expect(await redis.hgetall("crash:hash")).toEqual({ a: "1", b: "2" });
    redis.disconnect();
  });

  it("without persistence, the server comes back empty", async () => {
    await using server = await startRedis();
    const redis = new Redis(server.url, { retryStrategy: () => 50 });
    redis.on("error", () => {});
    await redis.set("crash:lost", "yes");
    await crashAndRestart(server);
    expect(await redis.get("crash:lost")).toBeNull();
    expect(await redis.dbsize()).toBe(0);
    redis.disconnect();
  });
});

describe("restartIntoLoading", () => {
  it("makes a restarted server answer LOADING until its dataset is loaded", async () => {
    await using server = await startRedis({ persistence: true, args: loadingStateArgs() });
    const seed = new Redis(server.url);
    await seed.set("loading:mine", "survives");
    seed.disconnect();

    const { restarted } = await restartIntoLoading(server, { loadingMs: 3_000 });
    // ioredis's ready check would wait out the load silently; without it the LOADING reply reaches the caller.
    const redis = new Redis(server.url, { enableReadyCheck: false, maxRetriesPerRequest: 0 });
    redis.on("error", () => {});
    await expect(redis.get("loading:mine")).rejects.toThrow(
      /^LOADING Redis is loading the dataset in memory/,
    );
    await restarted;
    expect(await redis.get("loading:mine")).toBe("survives");
    redis.disconnect();
  });

  it("explains what is missing when the server was not started for it", async () => {
    await using server = await startRedis();
    await expect(restartIntoLoading(server)).rejects.toThrow(/loadingStateArgs/);
    expect(server.isRunning()).toBe(true);
  });

  it("validates its arguments", () => {
    expect(() => loadingStateArgs({ keyLoadDelayMicros: 0 })).toThrow(RangeError);
  });
});
