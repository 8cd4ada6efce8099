import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));

const LOCK = join(packageDir, ".build-lock");
const STALE_LOCK_MS = 120_000;

/**
 * Child processes are plain Node and cannot load TypeScript: give them a fresh build of this package. Test
 * files run in parallel, so builds take turns (a lock directory): two compilers must not write dist at once.
 */
export function buildPackage(): void {
  acquireLock();
  try {
    const typescriptDir = dirname(createRequire(import.meta.url).resolve("typescript/package.json"));
    execFileSync(process.execPath, [join(typescriptDir, "bin", "tsc"), "-b"], {
      cwd: packageDir,
      stdio: "pipe",
    });
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

function acquireLock(): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      mkdirSync(LOCK);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      // A lock left by a test process that was killed mid-build must not block every later run.
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > STALE_LOCK_MS)
          rmSync(LOCK, { recursive: true, force: true });
      } catch {
        // Released meanwhile.
      }
      Atomics.wait(pause, 0, 0, 50);
    }
  }
}

export function fixture(name: string): string {
  return join(packageDir, "test", "fixtures", name);
}
