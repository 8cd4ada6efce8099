import { callForString, parseInfo, withAdminConnection } from "./admin-connection.js";
import {
  type ClusterNodeView,
  parseClusterNodes,
  slotMapSignature,
  UNHEALTHY_FLAGS,
} from "./cluster-topology.js";

/** A running cluster node to check. */
export interface NodeAddress {
  readonly host: string;
  readonly port: number;
}

/** What one node says: its CLUSTER INFO, CLUSTER NODES and INFO replication replies, as sent. */
export interface NodeReport {
  readonly address: NodeAddress;
  readonly clusterInfo: string;
  readonly clusterNodes: string;
  readonly replication: string;
}

async function report(address: NodeAddress): Promise<NodeReport> {
  return withAdminConnection(address, async (redis) => {
    const [clusterInfo, clusterNodes, replication] = await Promise.all([
      callForString(redis, "CLUSTER", "INFO"),
      callForString(redis, "CLUSTER", "NODES"),
      callForString(redis, "INFO", "replication"),
    ]);
    return { address, clusterInfo, clusterNodes, replication };
  });
}

const name = (address: NodeAddress) => `${address.host}:${address.port}`;

/**
 * Why the cluster formed by `running` is not healthy yet, or undefined when it is (see healthProblem). A node
 * that does not answer is a problem too.
 */
export async function clusterHealthProblem(running: readonly NodeAddress[]): Promise<string | undefined> {
  let reports: NodeReport[];
  try {
    reports = await Promise.all(running.map(report));
  } catch (error) {
    return `a node did not answer: ${(error as Error).message}`;
  }
  return healthProblem(reports);
}

/**
 * Why the nodes' reports do not describe a healthy cluster, or undefined when they do. Healthy means, on every
 * reporting node: `cluster_state:ok` with all 16384 slots assigned; it sees every reporting node as a connected
 * member with no fail/pfail/handshake flag, in the role that node gives itself (master, or replica of the same
 * master: gossip about roles lags behind a failover); all nodes report the same slot map; and every replica
 * has its link up, no sync in progress, and a replication offset equal to its master's.
 */
export function healthProblem(reports: readonly NodeReport[]): string | undefined {
  const parsed = reports.map(({ address, clusterInfo, clusterNodes, replication }) => ({
    address,
    clusterInfo: parseInfo(clusterInfo),
    views: parseClusterNodes(clusterNodes, address.host),
    replication: parseInfo(replication),
  }));
  const runningNames = new Set(reports.map(({ address }) => name(address)));
  const ownViews = new Map<string, ClusterNodeView>();
  for (const { address, views } of parsed) {
    const own = views.find((view) => view.flags.has("myself"));
    if (own === undefined) return `${name(address)} does not list itself in CLUSTER NODES`;
    ownViews.set(name(address), own);
  }
  let firstSignature: string | undefined;
  for (const { address, clusterInfo, views } of parsed) {
    const state = clusterInfo.get("cluster_state");
    if (state !== "ok") return `${name(address)} reports cluster_state:${state}`;
    const assigned = clusterInfo.get("cluster_slots_assigned");
    if (assigned !== "16384") return `${name(address)} sees ${assigned} of 16384 slots assigned`;
    for (const { address: peer } of parsed) {
      const view = views.find((candidate) => name(candidate) === name(peer));
      if (view === undefined) return `${name(address)} does not know ${name(peer)} yet`;
      const bad = UNHEALTHY_FLAGS.find((flag) => view.flags.has(flag));
      if (bad !== undefined) return `${name(address)} flags ${name(peer)} as ${bad}`;
      if (view.linkState !== "connected") return `${name(address)} has no link to ${name(peer)}`;
      const roleProblem = disagreement(view, ownViews.get(name(peer))!);
      if (roleProblem !== undefined) return `${name(address)} sees ${name(peer)} ${roleProblem}`;
    }
    const signature = slotMapSignature(views.filter((view) => runningNames.has(name(view))));
    const fullSignature = slotMapSignature(views);
    if (signature !== fullSignature) return `${name(address)} says a node that is not running serves slots`;
    if (firstSignature === undefined) firstSignature = signature;
    else if (signature !== firstSignature) return `${name(address)} disagrees about the slot map`;
  }
  for (const { address, replication } of parsed) {
    if (replication.get("role") !== "slave") continue;
    if (replication.get("master_link_status") !== "up")
      return `replica ${name(address)} has its master link down`;
    if (replication.get("master_sync_in_progress") !== "0")
      return `replica ${name(address)} is still syncing`;
    const masterName = `${replication.get("master_host")}:${replication.get("master_port")}`;
    const master = parsed.find((candidate) => name(candidate.address) === masterName);
    if (master === undefined) return `replica ${name(address)} follows ${masterName}, which is not running`;
    const masterOffset = master.replication.get("master_repl_offset");
    const replicaOffset = replication.get("slave_repl_offset");
    if (masterOffset !== replicaOffset) {
      return `replica ${name(address)} is at offset ${replicaOffset}, its master ${masterName} at ${masterOffset}`;
    }
  }
  return undefined;
}

/** How `view` (one node's picture of a peer) differs from `own` (the peer's picture of itself), if it does. */
function disagreement(view: ClusterNodeView, own: ClusterNodeView): string | undefined {
  const role = (node: ClusterNodeView) =>
    node.flags.has("master") ? "master" : `replica of ${node.masterId}`;
  if (view.id !== own.id) return `with id ${view.id}, but it says its id is ${own.id}`;
  if (role(view) !== role(own)) return `as ${role(view)}, but it says it is ${role(own)}`;
  return undefined;
}
