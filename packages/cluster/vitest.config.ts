import { defineConfig } from "vitest/config";

// Tests talk to real redis-server processes and real 3- and 6-node clusters; give them room, never retry a
// failure away, and run the files one after another so two clusters never compete for the machine's cores.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    retry: 0,
    pool: "forks",
    fileParallelism: false,
  },
});
