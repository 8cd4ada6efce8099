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
export { type WaitForOptions, waitFor } from "./wait-for.js";
