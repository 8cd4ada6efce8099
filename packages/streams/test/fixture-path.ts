import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));

/**
 * A child-process fixture. Child processes are plain Node and load this package's dist: turbo's test task
 * builds it first (`dependsOn: ["build"]`); running vitest by hand needs `pnpm --filter @polars-redis/streams build`.
 */
export function fixture(name: string): string {
  if (!existsSync(join(packageDir, "dist", "index.js")))
    throw new Error(
      "the child-process fixtures load dist/: run `pnpm --filter @polars-redis/streams build` first",
    );
  return join(packageDir, "test", "fixtures", name);
}
