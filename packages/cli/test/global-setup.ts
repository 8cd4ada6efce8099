import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * The tests run the built binary, so build it first (tsc -b is incremental: a no-op when dist is current).
 * turbo's test task builds only the dependencies; this makes `vitest run` alone test the current source too.
 */
export default function setup(): void {
  const root = fileURLToPath(new URL("..", import.meta.url));
  try {
    execFileSync("pnpm", ["exec", "tsc", "-b"], { cwd: root, stdio: "pipe" });
  } catch (error) {
    const output = String((error as { stdout?: Buffer }).stdout ?? error);
    if (!existsSync(`${root}/dist/bin.js`)) throw new Error(`building the CLI failed:\n${output}`);
    // A referenced package that does not compile right now (tsc -b then skips this one): say so loudly.
    console.warn(`cli tests: tsc -b failed, testing the existing dist/ build:\n${output}`);
  }
}
