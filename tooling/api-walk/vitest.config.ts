import { defineConfig } from "vitest/config";

// One redis-server behind one fault proxy; the rows run one after another (bytes are counted between calls).
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    retry: 0,
    pool: "forks",
    fileParallelism: false,
  },
});
