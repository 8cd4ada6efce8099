import type { NatMap } from "ioredis";
import { applyNatMap, type NodeAddress } from "./node-address.js";

/**
 * Node id -> address from a CLUSTER NODES reply ("<id> <ip:port@cport[,hostname]> <flags> ..."). Needed for
 * nodes the slot map cannot name, such as a master that owns no slot yet but is importing one.
 */
export function parseNodeAddresses(
  clusterNodes: string,
  natMap: NatMap | undefined,
): Map<string, NodeAddress> {
  const addresses = new Map<string, NodeAddress>();
  for (const line of clusterNodes.split("\n")) {
    const [id, endpoint] = line.trim().split(" ");
    if (id === undefined || endpoint === undefined) continue;
    const hostPort = endpoint.split("@")[0]!;
    const colon = hostPort.lastIndexOf(":");
    if (colon <= 0) continue;
    addresses.set(
      id,
      applyNatMap({ host: hostPort.slice(0, colon), port: Number(hostPort.slice(colon + 1)) }, natMap),
    );
  }
  return addresses;
}
