import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));

/** Child processes are plain Node and cannot load TypeScript: give them a fresh build of this package. */
export function buildPackage(): void {
  const typescriptDir = dirname(createRequire(import.meta.url).resolve("typescript/package.json"));
  execFileSync(process.execPath, [join(typescriptDir, "bin", "tsc"), "-b"], {
    cwd: packageDir,
    stdio: "pipe",
  });
}

export function fixture(name: string): string {
  return join(packageDir, "test", "fixtures", name);
}
