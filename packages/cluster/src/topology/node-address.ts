import type { NatMap } from "ioredis";

/** Where a cluster node is reached from this process (after NAT mapping). */
export interface NodeAddress {
  readonly host: string;
  readonly port: number;
}

/** "host:port", the key node connections are pooled under. */
export function addressKey(address: NodeAddress): string {
  return `${address.host}:${address.port}`;
}

/**
 * Applies ioredis's `natMap` to an address a node announced: the map is keyed by "host:port" as the cluster
 * reports it, and gives the address this process must dial instead.
 */
export function applyNatMap(announced: NodeAddress, natMap: NatMap | undefined): NodeAddress {
  if (natMap === undefined) return announced;
  const key = addressKey(announced);
  const mapped = typeof natMap === "function" ? natMap(key) : natMap[key];
  return mapped ? { host: mapped.host, port: mapped.port } : announced;
}
