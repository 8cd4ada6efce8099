import { redisTestConfig } from "../vitest-preset/preset.ts";

// Real clusters, real router processes, real faults. One file at a time: each starts a cluster and several
// processes on a 2-core machine.
export default redisTestConfig({ testTimeout: 240_000, hookTimeout: 180_000, fileParallelism: false });
