import { useCluster } from "@polars-redis/testkit/vitest";
import { Cluster, Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ClusterNode,
  keySlot,
  killMaster,
  manualFailover,
  migrateSlots,
  replicasOf,
} from "../src/index.js";

/** One 6-node cluster for the file (starting one costs seconds); the tests run in order, the kill last. */
const redis = useCluster({ masters: 3, replicasPerMaster: 1 });
let client: Cluster;

beforeAll(async () => {
  client = new Cluster(redis.cluster.seeds, {
    redisOptions: { maxRetriesPerRequest: 3 },
    retryDelayOnFailover: 100,
  });
  client.on("error", () => {});
});

afterAll(async () => {
  client?.disconnect();
});

/** A plain (non-cluster) connection to one node, so redirects reach the test instead of being followed. */
async function onNode<T>(node: ClusterNode, use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(node.url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on("error", () => {});
  try {
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

describe("migrateSlots", () => {
  it("left mid-migration, the source answers ASK for moved keys and a cluster client follows it", async () => {
    const keys = Array.from({ length: 20 }, (_, index) => `{ask}:${index}`);
    for (const key of keys) await client.set(key, `value-${key}`);
    const slot = keySlot(keys[0]!);
    const source = await redis.cluster.masterForSlot(slot);

    const migration = await migrateSlots(redis.cluster, { slots: slot, leaveMigrating: true, keysToMove: 5 });
    expect(migration.state).toBe("migrating");
    expect(migration.from).toBe(source);
    const target = migration.to;

    const onSource = await onNode(source, (redis) => redis.call("CLUSTER", "COUNTKEYSINSLOT", String(slot)));
    expect(onSource).toBe(15);
    // A moved key: the source redirects with ASK to the target.
    const left = (await onNode(source, (redis) =>
      redis.call("CLUSTER", "GETKEYSINSLOT", String(slot), "100"),
    )) as string[];
    const moved = keys.find((key) => !left.includes(key));
    expect(left).toHaveLength(15);
    expect(moved).toBeDefined();
    await expect(onNode(source, (redis) => redis.get(moved!))).rejects.toThrow(
      new RegExp(`^ASK ${slot} 127\\.0\\.0\\.1:${target.port}$`),
    );
    // The cluster client follows the ASK (ASKING + GET on the target) and gets every value.
    for (const key of keys) expect(await client.get(key)).toBe(`value-${key}`);

    await migration.finish();
    expect(migration.state).toBe("finished");
    expect(await redis.cluster.masterForSlot(slot)).toBe(target);
    await expect(onNode(source, (redis) => redis.get(keys[0]!))).rejects.toThrow(/^MOVED/);
    for (const key of keys) expect(await client.get(key)).toBe(`value-${key}`);

    await migration.restore();
    expect(migration.state).toBe("restored");
    expect(await redis.cluster.masterForSlot(slot)).toBe(source);
    expect(await onNode(source, (redis) => redis.get(keys[0]!))).toBe(`value-${keys[0]}`);
    await redis.cluster.waitForHealthy();
  });

  it("moves a range of slots with their keys to a chosen master, and back", async () => {
    const key = "{range}:a";
    const first = keySlot(key);
    const range = [first, Math.min(first + 2, 16_383)] as const;
    await client.set(key, "in range");
    const source = await redis.cluster.masterForSlot(first);
    const masters: ClusterNode[] = [];
    for (const node of redis.cluster.nodes)
      if (node.isRunning() && (await node.role()) === "master") masters.push(node);
    const to = masters.find((node) => node !== source)!;

    const migration = await migrateSlots(redis.cluster, { slots: range, to });
    expect(migration.state).toBe("finished");
    for (let slot = range[0]; slot <= range[1]; slot++)
      expect(await redis.cluster.masterForSlot(slot)).toBe(to);
    expect(await onNode(to, (redis) => redis.get(key))).toBe("in range");
    expect(await client.get(key)).toBe("in range");

    await migration.restore();
    expect(await redis.cluster.masterForSlot(first)).toBe(source);
    expect(await client.get(key)).toBe("in range");
  });

  it("moves a slot range there and straight back, again and again, and every node agrees each time", async () => {
    // Back-to-back migrations are where a target that has not heard of the previous bump of the config epoch
    // used to lose its claim for good (restore() then timed out waiting for the nodes to agree).
    const key = "{pingpong}:k";
    const first = keySlot(key);
    const range = [first, Math.min(first + 199, 16_383)] as const;
    await client.set(key, "bounced");
    const source = await redis.cluster.masterForSlot(first);
    const masters: ClusterNode[] = [];
    for (const node of redis.cluster.nodes)
      if (node.isRunning() && (await node.role()) === "master") masters.push(node);
    for (const to of masters.filter((node) => node !== source)) {
      for (let round = 0; round < 2; round++) {
        const migration = await migrateSlots(redis.cluster, { slots: range, to, timeoutMs: 20_000 });
        expect(await redis.cluster.masterForSlot(first)).toBe(to);
        await migration.restore();
        expect(migration.state).toBe("restored");
        expect(await redis.cluster.masterForSlot(range[1])).toBe(source);
      }
    }
    expect(await client.get(key)).toBe("bounced");
    await redis.cluster.waitForHealthy();
  });

  it("rejects slots outside the cluster's range before touching anything", async () => {
    await expect(migrateSlots(redis.cluster, { slots: 16_384 })).rejects.toThrow(RangeError);
    await expect(migrateSlots(redis.cluster, { slots: [10, 5] })).rejects.toThrow(RangeError);
  });
});

describe("manualFailover", () => {
  it("promotes a replica with CLUSTER FAILOVER and demotes its master", async () => {
    const key = "{failover}:manual";
    await client.set(key, "before");
    const master = await redis.cluster.masterForKey(key);
    const { promoted, demoted } = await manualFailover(redis.cluster, { master: { node: master } });
    expect(demoted).toBe(master);
    expect(await promoted.role()).toBe("master");
    expect(await demoted.role()).toBe("replica");
    expect(await redis.cluster.masterForKey(key)).toBe(promoted);
    expect(await onNode(promoted, (redis) => redis.get(key))).toBe("before");
    expect(await client.set(key, "after")).toBe("OK");
    expect(await client.get(key)).toBe("after");
  });
});

describe("killMaster", () => {
  it("after kill -9 of a master, the cluster serves its slot from the promoted replica", async () => {
    const key = "{failover}:kill";
    const master = await redis.cluster.masterForKey(key);
    await onNode(master, async (redis) => {
      await redis.set(key, "replicated");
      // WAIT until the replica has the write, so the promotion cannot lose it.
      expect(await redis.call("WAIT", "1", "5000")).toBe(1);
    });

    const { killed, promoted, rejoin } = await killMaster(redis.cluster, { key });
    expect(killed).toBe(master);
    expect(killed.isRunning()).toBe(false);
    expect(promoted).not.toBe(master);
    expect(await redis.cluster.masterForKey(key)).toBe(promoted);
    expect(await onNode(promoted, (redis) => redis.get(key))).toBe("replicated");
    expect(await client.get(key)).toBe("replicated");
    expect(await client.set(key, "written after the kill")).toBe("OK");

    await rejoin();
    expect(await killed.role()).toBe("replica");
    expect(await redis.cluster.masterForKey(key)).toBe(promoted);
  });

  it("refuses to kill a master that has no running replica", async () => {
    const master = await redis.cluster.masterForSlot(0);
    const [replica] = await replicasOf(redis.cluster, master);
    await replica!.kill();
    try {
      await expect(killMaster(redis.cluster, { node: master })).rejects.toThrow(/no running replica/);
      expect(master.isRunning()).toBe(true);
    } finally {
      await replica!.restart();
      await redis.cluster.waitForHealthy();
    }
  });
});
