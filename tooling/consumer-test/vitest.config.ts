import { redisTestConfig } from "../vitest-preset/preset.ts";

// Installs from the registry (through the local npm/pnpm caches) and starts redis-servers; the package managers
// run one after the other (they share the machine's 2 cores).
export default redisTestConfig({ testTimeout: 300_000, hookTimeout: 660_000, fileParallelism: false });
