import { useCluster } from "@polars-redis/testkit/vitest";
import { Cluster, Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { type ClusterNode, keySlot, waitFor } from "../src/index.js";

/** One 6-node cluster for the whole file: starting one costs seconds. */
const redis = useCluster({ masters: 3, replicasPerMaster: 1 });

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

/** Cluster events take seconds (failure detection, election): a longer deadline than waitFor's default. */
const FAILOVER = { timeoutMs: 30_000, intervalMs: 100 };

describe("startCluster", () => {
  it("forms a healthy cluster of 3 masters with 1 replica each", async () => {
    expect(redis.cluster.nodes).toHaveLength(6);
    expect(new Set(redis.cluster.nodes.map((node) => node.port)).size).toBe(6);
    expect(redis.cluster.urls).toEqual(redis.cluster.nodes.map((node) => `redis://127.0.0.1:${node.port}`));
    expect(redis.cluster.seeds).toEqual(
      redis.cluster.nodes.map((node) => ({ host: "127.0.0.1", port: node.port })),
    );
    const roles = await Promise.all(redis.cluster.nodes.map((node) => node.role()));
    expect(roles).toEqual(["master", "master", "master", "replica", "replica", "replica"]);

    const followed = new Set<string>();
    for (const node of redis.cluster.nodes) {
      const info = await withNode(node, (redis) => redis.call("CLUSTER", "INFO") as Promise<string>);
      expect(info).toContain("cluster_state:ok");
      expect(info).toContain("cluster_slots_assigned:16384");
      expect(info).toContain("cluster_known_nodes:6");
      if ((await node.role()) === "replica") {
        const replication = await withNode(node, (redis) => redis.info("replication"));
        expect(replication).toContain("master_link_status:up");
        followed.add(/master_port:(\d+)/.exec(replication)?.[1] ?? "");
      }
    }
    // Each master has its own replica.
    expect(followed).toEqual(new Set(redis.cluster.nodes.slice(0, 3).map((node) => String(node.port))));
  });

  it("names the master of a key's slot, as a cluster client routes it", async () => {
    const client = new Cluster(redis.cluster.seeds, { redisOptions: { maxRetriesPerRequest: 1 } });
    try {
      for (const key of ["alpha", "beta", "gamma", "{user:1}:profile"]) {
        await client.set(key, `value-of-${key}`);
        const master = await redis.cluster.masterForKey(key);
        expect(await redis.cluster.masterForSlot(keySlot(key))).toBe(master);
        // The node we name holds the key; it answers without a MOVED redirect.
        expect(await withNode(master, (redis) => redis.get(key))).toBe(`value-of-${key}`);
      }
    } finally {
      client.disconnect();
    }
    expect(keySlot("{user:1}:profile")).toBe(keySlot("user:1"));
    // Empty and unclosed tags, a tag after an empty one, non-ASCII bytes: the same slot the server computes.
    await withNode(redis.cluster.nodes[0]!, async (redis) => {
      for (const key of ["foo{}{bar}", "a{}{tag}", "{", "x{y", "}{z}", "{é}suffix", "plain", ""]) {
        expect(keySlot(key), key).toBe(Number(await redis.call("CLUSTER", "KEYSLOT", key)));
      }
    });
    await expect(redis.cluster.masterForSlot(16_384)).rejects.toThrow(RangeError);
  });

  it("promotes the replica when a master is killed, and the slot is writable again", async () => {
    const key = "failover-key";
    const master = await redis.cluster.masterForKey(key);
    const replica = await findReplicaOf(master);
    await withNode(master, (redis) => redis.set(key, "before"));
    await waitFor(async () => (await readFromReplica(replica, key)) === "before", {
      ...FAILOVER,
      description: "the write to reach the replica",
    });

    await master.kill();
    await waitFor(async () => (await replica.role()) === "master", {
      ...FAILOVER,
      description: "the replica to be promoted",
    });
    await redis.cluster.waitForHealthy();
    expect(await redis.cluster.masterForKey(key)).toBe(replica);

    // A fresh connection to the promoted node writes to the slot (no MOVED, no CLUSTERDOWN).
    expect(await withNode(replica, (redis) => redis.set(key, "after"))).toBe("OK");
    expect(await withNode(replica, (redis) => redis.get(key))).toBe("after");

    // The old master comes back (same port, same node id) as a replica of the node that replaced it.
    await master.restart();
    await waitFor(async () => (await master.role()) === "replica", {
      ...FAILOVER,
      description: "the old master to rejoin as a replica",
    });
    await redis.cluster.waitForHealthy();
    expect(await findReplicaOf(replica)).toBe(master);
    await waitFor(async () => (await readFromReplica(master, key)) === "after", {
      ...FAILOVER,
      description: "the rejoined node to hold the new value",
    });
  });
});

async function findReplicaOf(master: ClusterNode): Promise<ClusterNode> {
  for (const node of redis.cluster.nodes) {
    if (node === master || !node.isRunning()) continue;
    const replication = await withNode(node, (redis) => redis.info("replication"));
    if (replication.includes("role:slave") && replication.includes(`master_port:${master.port}\r`))
      return node;
  }
  throw new Error(`no replica follows ${master.url}`);
}

/** Replicas answer reads only after READONLY (otherwise they redirect with MOVED). */
function readFromReplica(node: ClusterNode, key: string): Promise<string | null> {
  return withNode(node, async (redis) => {
    await redis.call("READONLY");
    return redis.get(key);
  });
}
