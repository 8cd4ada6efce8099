// @polars-redis/testkit/vitest: helpers that register vitest hooks and tests. The package root stays free of
// any test runner; import these only from vitest test files.
export {
  type BatchCommands,
  type ClosableConnection,
  type ClusterConnectionFixture,
  type ClusterConnectionFixtureOptions,
  type ClusterFixture,
  type FaultProxyFixture,
  type RedisConnectionFixture,
  type RedisConnectionFixtureOptions,
  type RedisFixture,
  useCluster,
  useClusterConnection,
  useFaultProxy,
  useRedis,
  useRedisConnection,
} from "./fixtures.js";
export { moduleRequirement, requireModules } from "./require-module.js";
export { runSinkConformance } from "./run-sink-conformance.js";
