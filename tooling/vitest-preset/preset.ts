import { availableParallelism } from "node:os";
import { defineConfig, type ViteUserConfig } from "vitest/config";

type TestOptions = NonNullable<ViteUserConfig["test"]>;

/**
 * The vitest settings every package's tests share: they talk to real redis-server processes (and real clusters),
 * so they get room on a busy 2-core machine, run in forks, and a failure is never retried away. At least two
 * files run at once even on 2 cores (vitest's default there is one): these tests mostly wait on servers, faults
 * and timeouts, not on the CPU (a whole CI run used about half a core on average). A package passes
 * only what differs (a longer hookTimeout for clusters, fileParallelism: false, a globalSetup). The JSON report
 * for CI stays in each package's `test` script (`--outputFile.json=${TEST_RESULTS_FILE:-test-results.json}`).
 */
export function redisTestConfig(overrides: TestOptions = {}): ViteUserConfig {
  return defineConfig({
    test: {
      include: ["test/**/*.test.ts"],
      testTimeout: 60_000,
      hookTimeout: 120_000,
      retry: 0,
      pool: "forks",
      maxWorkers: Math.max(2, availableParallelism() - 1),
      ...overrides,
    },
  });
}
