import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { type ClusterNode, startCluster } from "../src/index.js";

async function withNode<T>(node: ClusterNode, use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({
    host: node.host,
    port: node.port,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  redis.on("error", () => {});
  try {
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

describe("startCluster options", () => {
  it("passes per-node server args, persistence and the node timeout; a killed master keeps its AOF data", async () => {
    await using cluster = await startCluster({
      masters: 3,
      replicasPerMaster: 0,
      persistence: true,
      nodeTimeoutMs: 3_000,
      args: ["--maxmemory", "50mb"],
    });
    expect(cluster.nodes).toHaveLength(3);
    for (const node of cluster.nodes) {
      const config = await withNode(node, (redis) =>
        redis.config("GET", "appendonly", "cluster-node-timeout", "maxmemory"),
      );
      expect(config).toEqual(
        expect.arrayContaining([
          "appendonly",
          "yes",
          "cluster-node-timeout",
          "3000",
          "maxmemory",
          "52428800",
        ]),
      );
      expect(await node.role()).toBe("master");
    }

    const key = "durable-key";
    const master = await cluster.masterForKey(key);
    const { id, port } = master;
    await withNode(master, (redis) => redis.set(key, "kept"));
    // No replica: the slot's only copy goes down with the node, and comes back from its AOF.
    await master.kill();
    await master.restart();
    expect(master.id).toBe(id);
    expect(master.port).toBe(port);
    await cluster.waitForHealthy();
    expect(await cluster.masterForKey(key)).toBe(master);
    expect(await withNode(master, (redis) => redis.get(key))).toBe("kept");
  });

  it("starts a one-node cluster: a single master serving every slot", async () => {
    await using cluster = await startCluster({ masters: 1, replicasPerMaster: 0 });
    const [only] = cluster.nodes;
    expect(cluster.nodes).toHaveLength(1);
    expect(await only!.role()).toBe("master");
    expect(await cluster.masterForSlot(16_383)).toBe(only);
    const info = await withNode(only!, (redis) => redis.call("CLUSTER", "INFO") as Promise<string>);
    expect(info).toContain("cluster_slots_assigned:16384");
  });

  it("rejects impossible shapes before starting anything", async () => {
    await expect(startCluster({ masters: 0 })).rejects.toThrow(RangeError);
    await expect(startCluster({ replicasPerMaster: -1 })).rejects.toThrow(RangeError);
    await expect(startCluster({ nodeTimeoutMs: 1.5 })).rejects.toThrow(RangeError);
  });
});
