import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { useClusterConnection, useRedisConnection } from "../src/vitest/index.js";

/** The smallest connection the fixtures accept: anything with close(); batch() makes send() work. */
class TinyConnection {
  closed = false;
  readonly client: Redis;

  constructor(url: string) {
    this.client = new Redis(url, { lazyConnect: false });
  }

  async batch(commands: readonly (readonly string[])[]): Promise<unknown[]> {
    const replies: unknown[] = [];
    for (const [name, ...args] of commands)
      replies.push(await this.client.call(name!, ...args).catch((e) => e));
    return replies;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.client.quit();
  }
}

describe("useRedisConnection", () => {
  let seen: TinyConnection | undefined;

  describe("with flushBeforeEach", () => {
    const redis = useRedisConnection({ connect: (url) => new TinyConnection(url), flushBeforeEach: true });

    it("opens the connection with connect(url) on the fixture's server", async () => {
      seen = redis.conn;
      expect(redis.url).toBe(redis.server.url);
      await redis.send([["SET", "fixture:a", "1"]]);
      expect(await redis.conn.client.get("fixture:a")).toBe("1");
    });

    it("empties the server before every test", async () => {
      expect(await redis.conn.client.dbsize()).toBe(0);
    });

    it("send() throws the first error reply", async () => {
      await redis.send([["SET", "fixture:s", "x"]]);
      await expect(
        redis.send([
          ["GET", "fixture:s"],
          ["LPUSH", "fixture:s", "y"],
        ]),
      ).rejects.toThrow(/WRONGTYPE/);
    });
  });

  describe("without flushBeforeEach", () => {
    const redis = useRedisConnection({ connect: (url) => new TinyConnection(url) });

    it("keeps data from one test", async () => {
      await redis.send([["SET", "kept", "1"]]);
    });

    it("to the next", async () => {
      expect(await redis.conn.client.get("kept")).toBe("1");
    });
  });

  describe("read before its beforeAll ran", () => {
    const early = useRedisConnection({ connect: (url) => new TinyConnection(url) });
    let collectionTimeError = "";
    try {
      void early.conn;
    } catch (error) {
      collectionTimeError = (error as Error).message;
    }

    it("throws a clear error at collection time, and works inside tests", () => {
      expect(collectionTimeError).toMatch(/opens in beforeAll; use it inside a test or hook/);
      expect(early.conn.closed).toBe(false);
    });
  });

  describe("send() on a connection without batch()", () => {
    const bare = useRedisConnection({ connect: () => ({ close: () => {} }) });

    it("throws a TypeError", async () => {
      await expect(bare.send(undefined as never)).rejects.toThrow(TypeError);
    });
  });

  it("refuses a missing connect with a TypeError, before registering anything", () => {
    expect(() => useRedisConnection({} as never)).toThrow(TypeError);
    expect(() => useRedisConnection(undefined as never)).toThrow(/connect must be a function/);
  });

  afterAll(() => {
    // The inner block's afterAll closed its connection (and stopped its server).
    expect(seen?.closed).toBe(true);
  });
});

describe("useClusterConnection", () => {
  const fixture = useClusterConnection({
    masters: 3,
    replicasPerMaster: 0,
    connect: (cluster) => {
      const client = new Redis.Cluster(cluster.seeds);
      return { client, close: async () => void (await client.quit()) };
    },
  });

  it("opens the connection with connect(cluster) once the cluster is healthy", async () => {
    expect(fixture.cluster.nodes.length).toBe(3);
    await fixture.conn.client.set("fixture:cluster", "1");
    expect(await fixture.conn.client.get("fixture:cluster")).toBe("1");
  });

  it("refuses a missing connect with a TypeError", () => {
    expect(() => useClusterConnection({ masters: 3 } as never)).toThrow(TypeError);
  });
});
