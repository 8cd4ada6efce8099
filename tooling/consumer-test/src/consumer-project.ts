import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import type { PackedPackage } from "./pack-packages.js";
import { runCommand } from "./run-command.js";

export type PackageManager = "npm" | "pnpm";

const APP_DIR = resolve(import.meta.dirname, "../app");
/** The nodejs-polars version the packages are tested with (their peer range is >=0.25.2 <0.27). */
export const POLARS_VERSION = "0.25.2";
/** nodejs-polars' platform packages declare engines node >=22; below that the README's fix is needed. */
export const NEEDS_BINDING_FIX = Number(process.versions.node.split(".")[0]) < 22;

export interface ConsumerProject {
  readonly directory: string;
  readonly manager: PackageManager;
  /** Environment for commands in the project: the Node.js under test first on PATH, no npm_* leaking in. */
  readonly env: NodeJS.ProcessEnv;
}

/**
 * The environment a user's shell would have: PATH starting with the Node.js running this test (so npm, pnpm
 * and the app all run on it), and none of the npm_* / pnpm / NODE_PATH variables the workspace's `pnpm run` exported.
 */
export function userEnvironment(nodeBinary = process.execPath): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    // NODE_PATH above all: pnpm's bin shims point it at the workspace's virtual store, where every package
    // (nodejs-polars' native one included) would resolve without being installed in the project.
    if (
      /^(npm_|pnpm_|INIT_CWD$|NODE_PATH$|NODE_OPTIONS$|VITEST|TEST$|NODE_ENV$|TEST_RESULTS_FILE$)/i.test(name)
    ) {
      continue;
    }
    env[name] = value;
  }
  env.PATH = `${dirname(nodeBinary)}${delimiter}${process.env.PATH ?? ""}`;
  return env;
}

/**
 * Registry requests fail over after 30 s instead of npm's and pnpm's 5 minutes (npm also takes a retry count;
 * pnpm 12 has no such flag), and npm logs each request (`http fetch GET … attempt N failed with …`), so an install
 * that goes wrong says why in the test's error.
 */
const NPM_FETCH_LIMITS = ["--fetch-timeout=30000", "--fetch-retries=2", "--loglevel=http"];
const PNPM_FETCH_LIMITS = ["--fetch-timeout=30000"];
/**
 * An install takes 5–25 s here (warm cache). It once took 584 s and later "hung" on the Node.js 22 and 24 lanes:
 * npm was backing off between registry requests that failed with SELF_SIGNED_CERT_IN_CHAIN, because turbo
 * passed the tasks no NODE_EXTRA_CA_CERTS and the official Node.js builds do not read the system's CA store
 * (the machine's Debian Node.js 20 does). turbo.json now passes it on; this limit turns any such stall into a
 * failure that shows npm's last output.
 */
const INSTALL_TIMEOUT_MS = 240_000;

/** Runs an install; throws with its last output when it fails or outlives `timeoutMs`, and logs its duration. */
export async function install(
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  { timeoutMs = INSTALL_TIMEOUT_MS } = {},
): Promise<void> {
  const started = performance.now();
  const result = await runCommand(command, args, { cwd, env, timeoutMs });
  const ms = Math.round(performance.now() - started);
  if (result.code === 0) {
    console.error(`${command} install on Node.js ${process.versions.node}: ${ms} ms`);
    return;
  }
  throw new Error(
    `${command} ${args.join(" ")} (in ${cwd}) ${result.code === null ? "did not finish and was killed" : `exited with ${result.code}`} ` +
      `after ${ms} ms\n--- stdout ---\n${result.stdout.slice(-4000)}\n--- stderr ---\n${result.stderr.slice(-4000)}`,
  );
}

/**
 * A fresh project in the system temp folder (outside the workspace, so neither package manager sees it) that
 * depends on every packed tarball and on nodejs-polars, as a user's project would; on Node.js 20 it applies
 * the README's install note (npm: the platform package as a dependency; pnpm: the readPackage hook).
 * Installs it with `manager` from the registry (through the local cache where it can).
 */
export async function createConsumerProject(
  manager: PackageManager,
  packed: readonly PackedPackage[],
): Promise<ConsumerProject> {
  const directory = mkdtempSync(join(tmpdir(), `polars-redis-consumer-${manager}-`));
  const env = userEnvironment();
  const dependencies: Record<string, string> = { "nodejs-polars": POLARS_VERSION };
  for (const pkg of packed) dependencies[pkg.name] = `file:${pkg.tarball}`;
  if (NEEDS_BINDING_FIX && manager === "npm") {
    dependencies[`nodejs-polars-${process.platform}-${process.arch}-gnu`] = POLARS_VERSION;
  }
  const manifest = {
    name: "polars-redis-consumer",
    version: "1.0.0",
    private: true,
    type: "module",
    dependencies,
    devDependencies: { "@types/node": "20.19.43" },
  };
  writeFileSync(join(directory, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const file of ["app.mjs", "typed.ts", "tsconfig.json"]) {
    copyFileSync(join(APP_DIR, file), join(directory, file));
  }

  if (manager === "npm") {
    // npm takes the top-level tarballs for the packages' own @polars-redis/* dependencies (same version).
    await install(
      "npm",
      ["install", "--no-audit", "--no-fund", "--prefer-offline", ...NPM_FETCH_LIMITS],
      directory,
      env,
    );
  } else {
    // pnpm resolves a dependency's own @polars-redis/* ranges from the registry, where these unreleased
    // versions are not: point them at the tarballs (a user installing released versions needs none of this).
    const overrides = packed.map((pkg) => `  "${pkg.name}": "file:${pkg.tarball}"`).join("\n");
    writeFileSync(join(directory, "pnpm-workspace.yaml"), `overrides:\n${overrides}\n`);
    if (NEEDS_BINDING_FIX) copyFileSync(join(APP_DIR, "pnpmfile.cjs"), join(directory, ".pnpmfile.cjs"));
    await install(
      "pnpm",
      ["install", "--prefer-offline", "--no-frozen-lockfile", ...PNPM_FETCH_LIMITS],
      directory,
      env,
    );
  }
  return { directory, manager, env };
}
