import type { ClusterNode, RedisCluster } from "../../server/start-cluster.js";
import { waitFor } from "../../server/wait-for.js";
import { clusterView, replicasOf } from "./cluster-views.js";

/** Which master to act on: a node, the master of a key's slot, or of a slot [the master of slot 0]. */
export type MasterSelector = { node: ClusterNode } | { key: string | Buffer } | { slot: number };

export async function selectMaster(cluster: RedisCluster, selector?: MasterSelector): Promise<ClusterNode> {
  if (selector === undefined) return cluster.masterForSlot(0);
  if ("node" in selector) return selector.node;
  if ("key" in selector) return cluster.masterForKey(selector.key);
  return cluster.masterForSlot(selector.slot);
}

export interface MasterKill {
  /** The master that was killed (kill -9); it stays down until `rejoin()`. */
  readonly killed: ClusterNode;
  /** Its replica, now a master serving the killed node's slots. */
  readonly promoted: ClusterNode;
  /** Restarts the killed node; resolves when it is back as a replica of `promoted` and the cluster is healthy. */
  rejoin(): Promise<void>;
}

/**
 * Kills a master with SIGKILL and waits until one of its replicas is promoted and every running node agrees
 * that it serves the slots (the cluster is healthy again). The master must have a running replica.
 */
export async function killMaster(
  cluster: RedisCluster,
  selector?: MasterSelector,
  { timeoutMs = 60_000 }: { timeoutMs?: number | undefined } = {},
): Promise<MasterKill> {
  const killed = await selectMaster(cluster, selector);
  if ((await killed.role()) !== "master") throw new Error(`${killed.url} is not a master`);
  const replicas = await replicasOf(cluster, killed);
  if (replicas.length === 0) {
    throw new Error(`${killed.url} has no running replica: killing it would leave its slots unserved`);
  }
  await killed.kill();
  const promoted = await waitFor(
    async () => {
      for (const replica of replicas) if ((await replica.role()) === "master") return replica;
      return undefined;
    },
    { timeoutMs, intervalMs: 100, description: `a replica of ${killed.url} to be promoted` },
  );
  await cluster.waitForHealthy(timeoutMs);
  const rejoin = async () => {
    if (!killed.isRunning()) await killed.restart();
    await waitFor(
      async () => {
        const own = (await clusterView(killed)).find((view) => view.flags.has("myself"));
        return own?.masterId === promoted.id;
      },
      { timeoutMs, intervalMs: 100, description: `${killed.url} to rejoin as a replica of ${promoted.url}` },
    );
    await cluster.waitForHealthy(timeoutMs);
  };
  return { killed, promoted, rejoin };
}
