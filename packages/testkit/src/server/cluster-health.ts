import { callForString, withAdminConnection } from "./admin-connection.js";
import {
  type ClusterNodeView,
  parseClusterNodes,
  parseInfo,
  slotMapSignature,
  UNHEALTHY_FLAGS,
} from "./cluster-topology.js";

/** A running cluster node to check. */
export interface NodeAddress {
  readonly host: string;
  readonly port: number;
}

interface NodeReport {
  readonly address: NodeAddress;
  readonly clusterInfo: Map<string, string>;
  readonly views: ClusterNodeView[];
  readonly replication: Map<string, string>;
}

async function report(address: NodeAddress): Promise<NodeReport> {
  return withAdminConnection(address.host, address.port, async (redis) => {
    const [clusterInfo, nodes, replication] = await Promise.all([
      callForString(redis, "CLUSTER", "INFO"),
      callForString(redis, "CLUSTER", "NODES"),
      callForString(redis, "INFO", "replication"),
    ]);
    return {
      address,
      clusterInfo: parseInfo(clusterInfo),
      views: parseClusterNodes(nodes),
      replication: parseInfo(replication),
    };
  });
}

const name = (address: NodeAddress) => `${address.host}:${address.port}`;

/**
 * Why the cluster formed by `running` is not healthy yet, or undefined when it is. Healthy means, on every
 * running node: `cluster_state:ok` with all 16384 slots assigned; it sees every running node as a connected
 * member with no fail/pfail/handshake flag; all nodes report the same slot map; and every replica has its link
 * up, no sync in progress, and a replication offset equal to its master's.
 */
export async function clusterHealthProblem(running: readonly NodeAddress[]): Promise<string | undefined> {
  let reports: NodeReport[];
  try {
    reports = await Promise.all(running.map(report));
  } catch (error) {
    return `a node did not answer: ${(error as Error).message}`;
  }
  const runningNames = new Set(running.map(name));
  let firstSignature: string | undefined;
  for (const { address, clusterInfo, views } of reports) {
    const state = clusterInfo.get("cluster_state");
    if (state !== "ok") return `${name(address)} reports cluster_state:${state}`;
    const assigned = clusterInfo.get("cluster_slots_assigned");
    if (assigned !== "16384") return `${name(address)} sees ${assigned} of 16384 slots assigned`;
    for (const peer of running) {
      const view = views.find((candidate) => name(candidate) === name(peer));
      if (view === undefined) return `${name(address)} does not know ${name(peer)} yet`;
      const bad = UNHEALTHY_FLAGS.find((flag) => view.flags.has(flag));
      if (bad !== undefined) return `${name(address)} flags ${name(peer)} as ${bad}`;
      if (view.linkState !== "connected") return `${name(address)} has no link to ${name(peer)}`;
    }
    const signature = slotMapSignature(views.filter((view) => runningNames.has(name(view))));
    const fullSignature = slotMapSignature(views);
    if (signature !== fullSignature) return `${name(address)} says a node that is not running serves slots`;
    if (firstSignature === undefined) firstSignature = signature;
    else if (signature !== firstSignature) return `${name(address)} disagrees about the slot map`;
  }
  for (const { address, replication } of reports) {
    if (replication.get("role") !== "slave") continue;
    if (replication.get("master_link_status") !== "up")
      return `replica ${name(address)} has its master link down`;
    if (replication.get("master_sync_in_progress") !== "0")
      return `replica ${name(address)} is still syncing`;
    const masterName = `${replication.get("master_host")}:${replication.get("master_port")}`;
    const master = reports.find((candidate) => name(candidate.address) === masterName);
    if (master === undefined) return `replica ${name(address)} follows ${masterName}, which is not running`;
    const masterOffset = master.replication.get("master_repl_offset");
    const replicaOffset = replication.get("slave_repl_offset");
    if (masterOffset !== replicaOffset) {
      return `replica ${name(address)} is at offset ${replicaOffset}, its master ${masterName} at ${masterOffset}`;
    }
  }
  return undefined;
}
