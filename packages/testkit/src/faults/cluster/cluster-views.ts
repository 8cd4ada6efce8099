import { callForString, withAdminConnection } from "../../server/admin-connection.js";
import { type ClusterNodeView, parseClusterNodes } from "../../server/cluster-topology.js";
import type { ClusterNode, RedisCluster } from "../../server/start-cluster.js";

/** CLUSTER NODES as `node` sees it. */
export function clusterView(node: ClusterNode): Promise<ClusterNodeView[]> {
  return withAdminConnection(node, async (redis) =>
    parseClusterNodes(await callForString(redis, "CLUSTER", "NODES"), node.host),
  );
}

export function runningNodes(cluster: RedisCluster): ClusterNode[] {
  return cluster.nodes.filter((node) => node.isRunning());
}

export function nodeById(cluster: RedisCluster, id: string): ClusterNode {
  const node = cluster.nodes.find((candidate) => candidate.id === id);
  if (node === undefined) throw new Error(`node ${id} is not part of this cluster`);
  return node;
}

/**
 * The running replicas that follow `master`, each by its own account. Other nodes learn roles by gossip and
 * can lag behind for a while; the replica's own view is the one its failover election acts on.
 */
export async function replicasOf(cluster: RedisCluster, master: ClusterNode): Promise<ClusterNode[]> {
  const candidates = runningNodes(cluster).filter((node) => node !== master);
  const masters = await Promise.all(candidates.map((node) => ownMasterId(node)));
  return candidates.filter((_, index) => masters[index] === master.id);
}

/** The master id `node` says it follows, or undefined when it says it is a master. */
async function ownMasterId(node: ClusterNode): Promise<string | undefined> {
  return (await clusterView(node)).find((view) => view.flags.has("myself"))?.masterId;
}

/** The master a replica follows, from the replica's own view. */
export async function masterOf(cluster: RedisCluster, replica: ClusterNode): Promise<ClusterNode> {
  const masterId = await ownMasterId(replica);
  if (masterId === undefined) throw new Error(`${replica.url} is not a replica`);
  return nodeById(cluster, masterId);
}

/** True when every running node says `owner` serves every slot of `slots`. */
export async function allNodesAgreeOwner(
  cluster: RedisCluster,
  slots: readonly number[],
  owner: ClusterNode,
): Promise<boolean> {
  for (const node of runningNodes(cluster)) {
    const view = (await clusterView(node)).find((candidate) => candidate.id === owner.id);
    if (view === undefined || !view.flags.has("master")) return false;
    const serves = (slot: number) => view.slots.some(([start, end]) => slot >= start && slot <= end);
    if (!slots.every(serves)) return false;
  }
  return true;
}
