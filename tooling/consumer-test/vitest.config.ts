import { defineConfig } from "vitest/config";

// Installs from the registry (through the local npm/pnpm caches) and starts redis-servers: give it room, never
// retry a failure away, and run the package managers one after the other (they share the machine's 2 cores).
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 240_000,
    hookTimeout: 300_000,
    retry: 0,
    pool: "forks",
    fileParallelism: false,
  },
});
