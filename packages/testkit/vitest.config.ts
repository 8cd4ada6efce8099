import { redisTestConfig } from "../../tooling/vitest-preset/preset.ts";

// One file at a time, as in the cluster package: several files start 6-node clusters and kill or fail over
// masters; side by side (and beside a second CI lane) a starved node missed its cluster pings and a failover test
// saw CLUSTERDOWN after the cluster had been healthy.
export default redisTestConfig({ fileParallelism: false });
