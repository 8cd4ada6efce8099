import { defineConfig } from "vitest/config";

// The tests run the built binary (dist/bin.js) as a child process against real redis-server processes; give
// them room, and never retry a failure away.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    retry: 0,
    pool: "forks",
  },
});
