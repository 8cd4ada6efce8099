export { ClusterConnection, type ClusterMasterInfo } from "./cluster-connection.js";
export type { ClusterEvent, ClusterEventType, ClusterStats } from "./cluster-events.js";
export type { ConnectClusterOptions } from "./cluster-options.js";
export { keySlot } from "./commands/key-slot.js";
export { connectCluster } from "./connect-cluster.js";
export type { ClusterSeed } from "./seeds.js";
