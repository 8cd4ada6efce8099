import { it } from "vitest";
import {
  type RedisModuleName,
  RedisModuleNotFoundError,
  redisModulesDir,
  resolveRedisModule,
} from "../server/redis-modules.js";

/** CI runs set CI (GitHub Actions, .ci/run, most CI services); "false" and "0" do not count. */
function inCi(env: NodeJS.ProcessEnv): boolean {
  const value = env.CI;
  return value !== undefined && value !== "" && value !== "false" && value !== "0";
}

/** What requireModules decides: the modules not found, and whether their absence fails or skips. */
export function moduleRequirement(
  modules: readonly RedisModuleName[],
  env: NodeJS.ProcessEnv = process.env,
): { missing: RedisModuleNotFoundError[]; onMissing: "fail" | "skip" } {
  const dir = redisModulesDir(env);
  const missing: RedisModuleNotFoundError[] = [];
  for (const module of modules) {
    try {
      resolveRedisModule(module, dir);
    } catch (error) {
      if (!(error instanceof RedisModuleNotFoundError)) throw error;
      missing.push(error);
    }
  }
  return { missing, onMissing: inCi(env) ? "fail" : "skip" };
}

/**
 * Whether the Redis modules a test file needs can be loaded, for `describe.runIf(requireModules("search"))`.
 * When one is missing: under CI (env CI set) it registers a failing test naming the module and where testkit
 * looked, so a CI run can never pass by skipping; elsewhere it prints why the tests are skipped.
 * Call it at the top level of a test file (or inside a describe block).
 */
export function requireModules(...modules: RedisModuleName[]): boolean {
  const { missing, onMissing } = moduleRequirement(modules);
  if (missing.length === 0) return true;
  const names = missing.map((error) => error.module).join(", ");
  if (onMissing === "fail") {
    it(`Redis module(s) ${names} can be loaded (required in CI)`, () => {
      throw missing[0];
    });
  } else {
    console.info(
      `skipped: tests need Redis module(s) ${names}. ${missing[0]?.message ?? ""} (Under CI this fails instead.)`,
    );
  }
  return false;
}
