import { defineConfig } from "vitest/config";

// One suite over real servers and a real 6-node cluster: cells run one after another (each injects its own
// fault and heals it), never retried, with room for a busy 2-core machine.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    retry: 0,
    pool: "forks",
    fileParallelism: false,
  },
});
