import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import type { RedisServer } from "../src/index.js";
import { useFaultProxy, useRedis } from "../src/vitest/index.js";

describe("useRedis", () => {
  let seen: RedisServer | undefined;

  describe("inside its block", () => {
    const redis = useRedis();
    const fixture = useFaultProxy(() => redis.server);

    it("has a running server for the tests", async () => {
      seen = redis.server;
      expect(redis.server.isRunning()).toBe(true);
      const client = new Redis(redis.url);
      expect(await client.ping()).toBe("PONG");
      client.disconnect();
    });

    it("gives every test a fresh proxy in front of the server, with no fault left over", async () => {
      expect(fixture.proxy.faults()).toEqual([]);
      fixture.proxy.latency({ latencyMs: 10 });
      const client = new Redis(fixture.proxy.url);
      expect(await client.ping()).toBe("PONG");
      client.disconnect();
      expect(fixture.proxy.stats().totalConnections).toBe(1);
    });

    it("(the next test's proxy has no faults)", () => {
      expect(fixture.proxy.faults()).toEqual([]);
      expect(fixture.proxy.stats().totalConnections).toBe(0);
    });
  });

  describe("read before its beforeAll ran", () => {
    const early = useRedis();
    let collectionTimeError = "";
    try {
      void early.server;
    } catch (error) {
      collectionTimeError = (error as Error).message;
    }

    it("throws a clear error at collection time, and works inside tests", () => {
      expect(collectionTimeError).toMatch(/starts in beforeAll; use it inside a test or hook/);
      expect(early.server.isRunning()).toBe(true);
    });
  });

  afterAll(() => {
    // The inner block's afterAll stopped its server.
    expect(seen).toBeDefined();
    expect(seen!.isRunning()).toBe(false);
  });
});
