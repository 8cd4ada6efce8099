import { defineConfig } from "vitest/config";

// Tests talk to real redis-server processes; give them room, and never retry a failure away.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    retry: 0,
    pool: "forks",
  },
});
