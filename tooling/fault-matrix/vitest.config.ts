import { redisTestConfig } from "../vitest-preset/preset.ts";

// One suite over real servers and a real 6-node cluster: cells run one after another (each injects its own
// fault and heals it).
export default redisTestConfig({ testTimeout: 120_000, hookTimeout: 180_000, fileParallelism: false });
