import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
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
 * A registry request that stalls costs npm and pnpm their default fetch timeout (5 minutes) per retry; stalled
 * requests fail over after 30 s instead, and are retried (npm takes the retry count; pnpm 12 has no such flag).
 */
const NPM_FETCH_LIMITS = ["--fetch-timeout=30000", "--fetch-retries=4"];
const PNPM_FETCH_LIMITS = ["--fetch-timeout=30000"];
/**
 * One install attempt's limit. An install takes 13–25 s here (warm cache), but on Node.js 24 in CI `npm install`
 * has twice sat idle for minutes (584 s in one run; another was found waiting in epoll with no socket open, no
 * child and no CPU used after 436 s): a hang of npm on that runtime, not slowness. So an attempt that passes this
 * limit is killed and the install starts again from an empty node_modules, up to INSTALL_ATTEMPTS times.
 */
const INSTALL_ATTEMPT_TIMEOUT_MS = 150_000;
const INSTALL_ATTEMPTS = 3;

/**
 * Runs an install, again from scratch when an attempt hangs past its limit (a non-zero exit is a real failure
 * and throws at once), and reports each attempt's duration on stderr (in the CI log).
 */
export async function install(
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  { attemptTimeoutMs = INSTALL_ATTEMPT_TIMEOUT_MS, attempts = INSTALL_ATTEMPTS } = {},
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const started = performance.now();
    const result = await runCommand(command, args, { cwd, env, timeoutMs: attemptTimeoutMs });
    const ms = Math.round(performance.now() - started);
    const label = `${command} install on Node.js ${process.versions.node}, attempt ${attempt}`;
    if (result.code === 0) {
      console.error(`${label}: ${ms} ms`);
      return;
    }
    if (result.code !== null || attempt === attempts) {
      throw new Error(
        `${command} ${args.join(" ")} (in ${cwd}) ${result.code === null ? "hung and was killed" : `exited with ${result.code}`} ` +
          `after ${ms} ms (attempt ${attempt} of ${attempts})\n` +
          `--- stdout ---\n${result.stdout.slice(-4000)}\n--- stderr ---\n${result.stderr.slice(-4000)}`,
      );
    }
    console.error(`${label}: killed after ${ms} ms without finishing; installing again`);
    rmSync(join(cwd, "node_modules"), { recursive: true, force: true });
  }
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
