export {
  type AdminConnectionOptions,
  configGet,
  endpointUrl,
  infoFields,
  openAdminConnection,
  type RedisEndpoint,
  withAdminConnection,
} from "./admin-connection.js";
export { pickFreePort } from "./free-port.js";
export { keySlot } from "./key-slot.js";
export {
  isRedisModuleAvailable,
  REDIS_MODULE_NAMES,
  type RedisModuleName,
  RedisModuleNotFoundError,
  redisModulesDir,
  resolveRedisModule,
} from "./redis-modules.js";
export { RedisServerError, RedisServerNotFoundError } from "./redis-server-error.js";
export {
  CLUSTER_SLOTS,
  type ClusterNode,
  type RedisCluster,
  type StartClusterOptions,
  startCluster,
} from "./start-cluster.js";
export { type RedisServer, type StartRedisOptions, startRedis } from "./start-redis.js";
export { type WaitForOptions, waitFor } from "./wait-for.js";
