// @polars-redis/testkit/vitest: helpers that register vitest hooks and tests. The package root stays free of
// any test runner; import these only from vitest test files.
export {
  type ClusterFixture,
  type FaultProxyFixture,
  type RedisFixture,
  useCluster,
  useFaultProxy,
  useRedis,
} from "./fixtures.js";
export { moduleRequirement, requireModules } from "./require-module.js";
export { runSinkConformance } from "./run-sink-conformance.js";
