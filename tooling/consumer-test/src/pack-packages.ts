import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { runChecked } from "./run-command.js";

export const WORKSPACE_ROOT = resolve(import.meta.dirname, "../../..");

export interface PackedPackage {
  readonly name: string;
  readonly version: string;
  readonly directory: string;
  /** Absolute path of the tarball `pnpm pack` wrote. */
  readonly tarball: string;
}

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
}

/** The packages a user can install: every packages/* that is not private. */
export function publishablePackages(): Array<{ name: string; version: string; directory: string }> {
  const root = join(WORKSPACE_ROOT, "packages");
  return readdirSync(root)
    .sort()
    .map((entry) => join(root, entry))
    .filter((directory) => existsSync(join(directory, "package.json")))
    .map((directory) => {
      const manifest = JSON.parse(readFileSync(join(directory, "package.json"), "utf8")) as Manifest;
      return {
        name: manifest.name,
        version: manifest.version,
        directory,
        private: manifest.private === true,
      };
    })
    .filter((pkg) => !pkg.private)
    .map(({ name, version, directory }) => ({ name, version, directory }));
}

/**
 * `pnpm pack` of every publishable package into `destination`: what `pnpm publish` would upload (workspace:
 * ranges replaced by versions, only the `files` listed). The packages must be built (turbo's dependsOn does it).
 */
export async function packPackages(destination: string): Promise<PackedPackage[]> {
  const packed: PackedPackage[] = [];
  for (const pkg of publishablePackages()) {
    await runChecked("pnpm", ["pack", "--pack-destination", destination], {
      cwd: pkg.directory,
      timeoutMs: 120_000,
    });
    const file = `${pkg.name.replace(/^@/, "").replace("/", "-")}-${pkg.version}.tgz`;
    const tarball = join(destination, file);
    if (!existsSync(tarball)) throw new Error(`pnpm pack of ${pkg.name} did not write ${tarball}`);
    packed.push({ ...pkg, tarball });
  }
  return packed;
}
