import { defineConfig } from "vitest/config";

// Real clusters, real router processes, real faults: give them room, and never retry a failure away. One file
// at a time: each starts a cluster and several processes on a 2-core machine.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 240_000,
    hookTimeout: 180_000,
    retry: 0,
    pool: "forks",
    fileParallelism: false,
  },
});
