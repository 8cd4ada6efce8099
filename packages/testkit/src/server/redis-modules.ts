import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { RedisServerError } from "./redis-server-error.js";

/** Redis modules testkit knows how to load: RediSearch, RedisTimeSeries, and RedisJSON (or the old ReJSON). */
export type RedisModuleName = "search" | "timeseries" | "json";

export const REDIS_MODULE_NAMES: readonly RedisModuleName[] = ["search", "timeseries", "json"];

/** The module's shared-library file names, as built from each module's sources. */
const LIBRARY_NAMES: Record<RedisModuleName, RegExp> = {
  search: /^(lib)?redisearch[^/]*\.so$/i,
  timeseries: /^(lib)?redistimeseries[^/]*\.so$/i,
  json: /^(lib)?(rejson|redisjson)[^/]*\.so$/i,
};

/** A module was asked for and its shared library is not where testkit looks; the message says where it looked. */
export class RedisModuleNotFoundError extends RedisServerError {
  readonly module: RedisModuleName;
  readonly searched: string | undefined;

  constructor(module: RedisModuleName, searched: string | undefined, reason: string) {
    super(
      `Redis module "${module}" was not found: ${reason}. ` +
        "Set REDIS_MODULES_DIR to a folder holding the module's .so (directly or one folder down, e.g. " +
        "redisearch-2.6.37/redisearch.so), or place a shared/redis-modules folder beside the repository checkout.",
    );
    this.name = "RedisModuleNotFoundError";
    this.module = module;
    this.searched = searched;
  }
}

/** The nearest ancestor of `start` holding pnpm-workspace.yaml (the repository checkout), if any. */
function workspaceRoot(start: string): string | undefined {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Where testkit looks for module libraries: env REDIS_MODULES_DIR when set, else a `shared/redis-modules`
 * folder beside the repository checkout that holds this package (found from this file's location, not from
 * the working directory). Undefined when neither exists (a user's project without the folder).
 */
export function redisModulesDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const configured = env.REDIS_MODULES_DIR;
  if (configured !== undefined && configured !== "")
    return isAbsolute(configured) ? configured : resolve(configured);
  const root = workspaceRoot(dirname(fileURLToPath(import.meta.url)));
  if (root === undefined) return undefined;
  const beside = resolve(root, "..", "shared", "redis-modules");
  return isDirectory(beside) ? beside : undefined;
}

/** The library file for `module` in `dir` (directly or one folder down); the last by name when several. */
function findLibrary(module: RedisModuleName, dir: string): string | undefined {
  const pattern = LIBRARY_NAMES[module];
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isFile() && pattern.test(entry.name)) found.push(path);
    else if (entry.isDirectory()) {
      for (const inner of readdirSync(path, { withFileTypes: true }))
        if (inner.isFile() && pattern.test(inner.name)) found.push(join(path, inner.name));
    }
  }
  return found.sort().at(-1);
}

/**
 * The absolute path of a module's shared library, from `dir` (default: {@link redisModulesDir}).
 * Throws {@link RedisModuleNotFoundError} naming the folder searched when it is not there.
 */
export function resolveRedisModule(module: RedisModuleName, dir = redisModulesDir()): string {
  if (!REDIS_MODULE_NAMES.includes(module))
    throw new RedisModuleNotFoundError(
      module,
      dir,
      `unknown module name (known: ${REDIS_MODULE_NAMES.join(", ")})`,
    );
  if (dir === undefined)
    throw new RedisModuleNotFoundError(
      module,
      undefined,
      "REDIS_MODULES_DIR is not set and no shared/redis-modules folder is beside the checkout",
    );
  if (!isDirectory(dir))
    throw new RedisModuleNotFoundError(module, dir, `the modules folder ${dir} does not exist`);
  const library = findLibrary(module, dir);
  if (library === undefined)
    throw new RedisModuleNotFoundError(module, dir, `no ${LIBRARY_NAMES[module].source} file in ${dir}`);
  return library;
}

/** Whether `module` can be loaded (its library is found); never throws. */
export function isRedisModuleAvailable(module: RedisModuleName, dir = redisModulesDir()): boolean {
  try {
    resolveRedisModule(module, dir);
    return true;
  } catch {
    return false;
  }
}

/** `--loadmodule <path>` for every module asked for (resolved up front, so a missing one fails before spawning). */
export function loadModuleArgs(modules: readonly RedisModuleName[] | undefined, dir?: string): string[] {
  if (modules === undefined || modules.length === 0) return [];
  const folder = dir ?? redisModulesDir();
  return [...new Set(modules)].flatMap((module) => ["--loadmodule", resolveRedisModule(module, folder)]);
}
