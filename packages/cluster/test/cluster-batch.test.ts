import {
  InvalidArgumentError,
  isCommandError,
  RedisCommandError,
  RedisConnectionError,
} from "@polars-redis/core";
import { keySlot, migrateSlots, waitFor } from "@polars-redis/testkit";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { type ClusterEvent, connectCluster } from "../src/index.js";
import { useSeededCluster } from "./fixtures/clusters.js";

const redis = useSeededCluster(1);

/** Keys spread over many slots (and so over every master). */
function spreadKeys(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}:${i}`);
}

/** A direct connection to one node, bypassing the cluster logic under test. */
async function onNode<T>(
  node: { host: string; port: number },
  use: (redis: Redis) => Promise<T>,
): Promise<T> {
  const redis = new Redis({ host: node.host, port: node.port, lazyConnect: true, protocol: 2 });
  await redis.connect();
  try {
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

describe("cluster batch: routing", () => {
  it("answers in the caller's order across every master", async () => {
    const keys = spreadKeys("order", 3000);
    const writes = await redis.conn.batch(keys.map((key, i) => ["SET", key, `v${i}`] as const));
    expect(writes.every((reply) => reply === "OK")).toBe(true);
    const reads = await redis.conn.batch(
      keys.map((key) => ["GET", key] as const),
      { chunkSize: 128 },
    );
    expect(reads).toEqual(keys.map((_, i) => `v${i}`));
    // Each key really lives on the master that serves its slot.
    const sample = keys[1234]!;
    const owner = await redis.cluster.masterForKey(sample);
    expect(await onNode(owner, (redis) => redis.get(sample))).toBe("v1234");
  });

  it("splits multi-key commands by slot and reassembles them, never causing CROSSSLOT", async () => {
    const keys = spreadKeys("multi", 200);
    expect(new Set(keys.map((key) => keySlot(key))).size).toBeGreaterThan(100);
    const mset = keys.flatMap((key, i) => [key, `m${i}`]);
    const [msetReply, mget, exists, touch, del, unlink, afterDelete] = await redis.conn.batch([
      ["MSET", ...mset],
      ["MGET", ...keys, "multi:missing"],
      ["EXISTS", ...keys, keys[0]!, "multi:missing"],
      ["TOUCH", ...keys],
      ["DEL", ...keys.slice(0, 50), "multi:missing"],
      ["UNLINK", ...keys.slice(50, 120)],
      ["EXISTS", ...keys],
    ]);
    expect(msetReply).toBe("OK");
    expect(mget).toEqual([...keys.map((_, i) => `m${i}`), null]);
    expect(exists).toBe(201); // a key named twice counts twice, as on one server
    expect(touch).toBe(200);
    expect(del).toBe(50);
    expect(unlink).toBe(70);
    expect(afterDelete).toBe(80);
  });

  it("keeps a MULTI ... EXEC group together on its slot's master", async () => {
    const replies = await redis.conn.batch([
      ["SET", "tx:before", "1"],
      ["MULTI"],
      ["SET", "{tx}:a", "1"],
      ["INCRBY", "{tx}:a", "41"],
      ["GET", "{tx}:a"],
      ["EXEC"],
      ["GET", "{tx}:a"],
    ]);
    expect(replies).toEqual(["OK", "OK", "QUEUED", "QUEUED", "QUEUED", ["OK", 42, "42"], "42"]);
  });

  it("refuses an unterminated MULTI, SCAN and SELECT before sending anything", async () => {
    const error = await redis.conn
      .batch([["SET", "refused:1", "x"], ["MULTI"], ["SET", "refused:2", "y"]])
      .catch((e) => e);
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect(await redis.conn.call("EXISTS", "refused:1")).toBe(0);
    await expect(redis.conn.call("SCAN", "0")).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e));
    await expect(redis.conn.call("SELECT", "1")).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e));
  });

  it("returns one command's error in its place and the other replies untouched", async () => {
    await redis.conn.call("SET", "typed:string", "x");
    const replies = await redis.conn.batch([
      ["SET", "typed:a", "1"],
      ["HSET", "typed:string", "f", "v"],
      ["GET", "typed:a"],
      ["MGET", "typed:a", "typed:string"],
    ]);
    expect(replies[0]).toBe("OK");
    expect(isCommandError(replies[1]!)).toBe(true);
    expect((replies[1] as RedisCommandError).redisCode).toBe("WRONGTYPE");
    expect((replies[1] as RedisCommandError).outcome).toBe("rejected");
    expect(replies.slice(2)).toEqual(["1", ["1", "x"]]);
  });

  it("is binary-safe with buffers: true", async () => {
    const value = Buffer.from([0, 255, 1, 254, 10, 13]);
    await redis.conn.batch([["SET", Buffer.from("bin:\u00ff"), value]]);
    const [reply] = await redis.conn.batch([["GET", Buffer.from("bin:\u00ff")]], { buffers: true });
    expect(Buffer.isBuffer(reply)).toBe(true);
    expect((reply as Buffer).equals(value)).toBe(true);
    expect(await redis.conn.callBuffer("GET", Buffer.from("bin:\u00ff"))).toEqual(value);
  });

  it("sends keyspace-wide commands to every master and merges the answers", async () => {
    const perMaster = await Promise.all(
      redis.conn.masters().map((master) => onNode(master, (redis) => redis.dbsize())),
    );
    expect(await redis.conn.call("DBSIZE")).toBe(perMaster.reduce((a, b) => a + b, 0));
    const keys = (await redis.conn.call("KEYS", "order:12?")) as string[];
    expect(keys.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `order:12${i}`));
    // A script loaded once runs by SHA on every master.
    const sha = (await redis.conn.call("SCRIPT", "LOAD", "return redis.call('GET', KEYS[1])")) as string;
    const results = await redis.conn.batch(
      spreadKeys("order", 30).map((key) => ["EVALSHA", sha, 1, key] as const),
    );
    expect(results).toEqual(Array.from({ length: 30 }, (_, i) => `v${i}`));
    expect(await redis.conn.call("SCRIPT", "EXISTS", sha, "0".repeat(40))).toEqual([1, 0]);
  });
});

describe("cluster batch: redirections", () => {
  it("follows MOVED after a slot moved behind its back, and learns the new owner", async () => {
    const keys = Array.from({ length: 20 }, (_, i) => `{moved}:${i}`);
    await redis.conn.batch(keys.map((key) => ["SET", key, key] as const));
    const slot = keySlot("{moved}");
    const before = await redis.cluster.masterForSlot(slot);
    const migration = await migrateSlots(redis.cluster, { slots: slot });
    expect(migration.to.id).not.toBe(before.id);
    const movedBefore = redis.conn.stats().moved;
    expect(await redis.conn.batch(keys.map((key) => ["GET", key] as const))).toEqual(keys);
    expect(redis.conn.stats().moved).toBeGreaterThan(movedBefore);
    const owner = redis.conn
      .masters()
      .find((master) => master.slotRanges.some(([a, b]) => slot >= a && slot <= b));
    expect(owner?.port).toBe(migration.to.port);
    // Now routed directly: no further MOVED.
    const movedAfter = redis.conn.stats().moved;
    await redis.conn.batch(keys.map((key) => ["GET", key] as const));
    expect(redis.conn.stats().moved).toBe(movedAfter);
  });

  it("re-sends a MULTI ... EXEC group as a whole when it met MOVED at queue time", async () => {
    const slot = keySlot("{txmoved}");
    await redis.conn.call("SET", "{txmoved}:n", "1");
    await migrateSlots(redis.cluster, { slots: slot });
    const replies = await redis.conn.batch([["MULTI"], ["INCR", "{txmoved}:n"], ["EXEC"]]);
    expect(replies).toEqual(["OK", "QUEUED", [2]]);
    expect(await redis.conn.call("GET", "{txmoved}:n")).toBe("2");
  });

  it("handles ASK for a slot left in mid-migration, for reads and for new keys", async () => {
    const keys = Array.from({ length: 40 }, (_, i) => `{ask}:${i}`);
    await redis.conn.batch(keys.map((key) => ["SET", key, key] as const));
    const migration = await migrateSlots(redis.cluster, {
      slots: keySlot("{ask}"),
      leaveMigrating: true,
      keysToMove: 20,
    });
    try {
      const askBefore = redis.conn.stats().ask;
      expect(await redis.conn.batch(keys.map((key) => ["GET", key] as const))).toEqual(keys);
      expect(redis.conn.stats().ask - askBefore).toBeGreaterThanOrEqual(20);
      // A key that does not exist yet is created on the importing node (ASK, then ASKING + SET).
      expect(await redis.conn.call("SET", "{ask}:new", "fresh")).toBe("OK");
      expect(
        await onNode(migration.to, (redis) => redis.call("ASKING").then(() => redis.get("{ask}:new"))),
      ).toBe("fresh");
      // A multi-key read over moved and unmoved keys of the slot meets TRYAGAIN; it is then read key by key
      // (each key where it lives, ASK for the moved one), without waiting for the migration to end.
      const tryagainBefore = redis.conn.stats().tryagain;
      expect(
        await redis.conn.batch([
          ["MGET", keys[0]!, keys[39]!],
          ["EXISTS", keys[0]!, keys[39]!],
        ]),
      ).toEqual([[keys[0], keys[39]], 2]);
      expect(redis.conn.stats().tryagain).toBeGreaterThan(tryagainBefore);
      expect(migration.state).toBe("migrating");
    } finally {
      await migration.finish();
    }
    expect(await redis.conn.batch([...keys, "{ask}:new"].map((key) => ["GET", key] as const))).toEqual([
      ...keys,
      "fresh",
    ]);
  });

  it("retries a multi-key command through TRYAGAIN while its slot migrates", async () => {
    const slot = keySlot("{try}");
    await redis.conn.batch([
      ["SET", "{try}:a", "A"],
      ["SET", "{try}:b", "B"],
      ["SET", "{try}:c", "C"],
    ]);
    // Move some keys of the slot but not all: the source answers TRYAGAIN for a command over both kinds.
    const migration = await migrateSlots(redis.cluster, { slots: slot, leaveMigrating: true, keysToMove: 1 });
    const events: ClusterEvent[] = [];
    let finishing: Promise<void> | undefined;
    const watcher = await connectCluster(redis.cluster.seeds, {
      onEvent: (event) => {
        events.push(event);
        // The migration completes once the command has met TRYAGAIN: key by key or after it, the values are right.
        if (event.type === "tryagain") finishing ??= migration.finish();
      },
    });
    try {
      const [values, count] = await watcher.batch([
        ["MGET", "{try}:a", "{try}:b", "{try}:c"],
        ["EXISTS", "{try}:a", "{try}:b", "{try}:c"],
      ]);
      expect(values).toEqual(["A", "B", "C"]);
      expect(count).toBe(3);
      expect(events.some((event) => event.type === "tryagain")).toBe(true);
      await finishing;
      expect(migration.state).toBe("finished");
    } finally {
      await watcher.close();
      await migration.finish();
    }
  });

  it("reports the last redirect error when maxRedirections is exhausted", async () => {
    const migration = await migrateSlots(redis.cluster, {
      slots: keySlot("{hops}"),
      leaveMigrating: true,
      keysToMove: 0,
    });
    try {
      await redis.conn.call("SET", "{hops}:x", "1").catch(() => undefined);
      const strict = await connectCluster(redis.cluster.seeds, { maxRedirections: 0 });
      try {
        const [reply] = await strict.batch([["GET", "{hops}:absent"]]);
        expect(RedisCommandError.isInstance(reply)).toBe(true);
        expect((reply as RedisCommandError).redisCode).toBe("ASK");
      } finally {
        await strict.close();
      }
    } finally {
      await migration.finish();
    }
  });
});

describe("cluster batch: failures", () => {
  it("reports commands in flight on a node that dies as outcome unknown, and never re-sends them", async () => {
    const dedicated = await connectCluster(redis.cluster.seeds, { retryWindowMs: 20_000 });
    const master = await redis.cluster.masterForKey("{pipe}");
    const observer = await connectCluster(redis.cluster.seeds);
    try {
      await dedicated.call("DEL", "{pipe}:list", "{pipe}:after");
      // BLPOP parks the pipeline on the server: what follows it is sent but not answered until the crash.
      const pending = dedicated.batch([
        ["SET", "{pipe}:before", "1"],
        ["BLPOP", "{pipe}:list", 0],
        ["SET", "{pipe}:after", "1"],
        ["INCR", "{pipe}:counter"],
      ]);
      await waitFor(
        async () =>
          ((await onNode(master, (redis) => redis.call("CLIENT", "LIST"))) as string).includes("cmd=blpop"),
        { description: "BLPOP to block on the master" },
      );
      await master.kill();
      const replies = await pending;
      expect(replies[0]).toBe("OK");
      for (const reply of replies.slice(1)) {
        expect(RedisConnectionError.isInstance(reply)).toBe(true);
        expect((reply as RedisConnectionError).outcome).toBe("unknown");
      }
      // After the failover, the unanswered writes were not applied behind the caller's back.
      await redis.cluster.waitForHealthy();
      await waitFor(
        async () => (await observer.call("GET", "{pipe}:before").catch(() => undefined)) === "1",
        {
          timeoutMs: 20_000,
          description: "the promoted replica to serve the slot",
        },
      );
      expect(await observer.call("EXISTS", "{pipe}:after")).toBe(0);
      expect(await observer.call("GET", "{pipe}:counter")).toBeNull();
      expect(dedicated.stats()).toMatchObject({ moved: 0 });
    } finally {
      await dedicated.close();
      await observer.close();
      await master.restart();
      await redis.cluster.waitForHealthy();
    }
  });

  it("waits through a failover and re-drives commands that could not be sent", async () => {
    const keys = Array.from({ length: 300 }, (_, i) => `{failover}:${i}`);
    const master = await redis.cluster.masterForKey("{failover}");
    // A key served by another master: a round trip there lets the client see the dead socket's end first.
    let elsewhere = "elsewhere:0";
    for (let i = 1; (await redis.cluster.masterForKey(elsewhere)).id === master.id; i++)
      elsewhere = `elsewhere:${i}`;
    const driver = await connectCluster(redis.cluster.seeds, { retryWindowMs: 30_000 });
    try {
      expect(await driver.call("SET", "{failover}:warm", "1")).toBe("OK");
      await master.kill();
      // Once the socket is known to be closed, every command is "not sent" until the replica takes over.
      await driver.call("GET", elsewhere);
      const replies = await driver.batch(keys.map((key) => ["SET", key, key] as const));
      expect(replies.every((reply) => reply === "OK")).toBe(true);
      expect(await driver.batch(keys.map((key) => ["GET", key] as const))).toEqual(keys);
      const stats = driver.stats();
      expect(stats["node-unreachable"] + stats.clusterdown).toBeGreaterThan(0);
    } finally {
      await driver.close();
      await master.restart();
      await redis.cluster.waitForHealthy();
    }
  });
});
