import { redisTestConfig } from "../vitest-preset/preset.ts";

// Real servers and a real 6-node cluster. Within a file, cells run one after another (each injects its own fault
// and heals it); the server file and the cluster file run side by side.
export default redisTestConfig({ testTimeout: 120_000, hookTimeout: 180_000 });
