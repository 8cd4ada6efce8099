export { masterOf, replicasOf } from "./cluster/cluster-views.js";
export { killMaster, type MasterKill, type MasterSelector } from "./cluster/kill-master.js";
export {
  type ManualFailover,
  type ManualFailoverOptions,
  manualFailover,
} from "./cluster/manual-failover.js";
export { type MigrateSlotsOptions, migrateSlots, type SlotMigration } from "./cluster/migrate-slots.js";
export {
  createFaultProxy,
  type FaultProxy,
  type FaultProxyOptions,
  type FaultProxyStats,
} from "./proxy/fault-proxy.js";
export type {
  ActiveFault,
  BandwidthFault,
  BlackholeFault,
  CloseAfterBytesFault,
  FaultDirection,
  LatencyFault,
  ProxyFault,
  RefuseFault,
  ResetFault,
  SliceFault,
} from "./proxy/proxy-fault.js";
export type { ProxyTarget } from "./proxy/proxy-target.js";
export { type CrashableServer, crashAndRestart } from "./redis/crash-server.js";
export { debugSleep, type ServerSleep } from "./redis/debug-sleep.js";
export {
  type ForceOutOfMemoryOptions,
  forceOutOfMemory,
  type OutOfMemoryFault,
} from "./redis/force-out-of-memory.js";
export { type ClientType, type KillClientsOptions, killClients } from "./redis/kill-clients.js";
export { type LoadingRestart, loadingStateArgs, restartIntoLoading } from "./redis/loading-state.js";
export { type ClientPause, pauseClients } from "./redis/pause-clients.js";
export { type ConflictingType, createWrongTypeConflict } from "./redis/wrong-type-conflict.js";
