import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import {
  RedisModuleNotFoundError,
  redisModulesDir,
  resolveRedisModule,
  startCluster,
  startRedis,
} from "../src/index.js";
import { moduleRequirement, requireModules } from "../src/vitest/index.js";

const empty = mkdtempSync(join(tmpdir(), "polars-redis-no-modules-"));
afterAll(() => rmSync(empty, { recursive: true, force: true }));

/** MODULE LIST as name → version. */
async function moduleList(port: number): Promise<Map<string, number>> {
  const redis = new Redis({ host: "127.0.0.1", port, maxRetriesPerRequest: 1 });
  try {
    const reply = (await redis.call("MODULE", "LIST")) as unknown[][];
    return new Map(
      reply.map((entry) => {
        const fields = new Map<string, unknown>();
        for (let i = 0; i + 1 < entry.length; i += 2) fields.set(String(entry[i]), entry[i + 1]);
        return [String(fields.get("name")), Number(fields.get("ver"))];
      }),
    );
  } finally {
    redis.disconnect();
  }
}

describe("module lookup", () => {
  it("reads REDIS_MODULES_DIR first, relative paths against the working directory", () => {
    expect(redisModulesDir({ REDIS_MODULES_DIR: "/opt/modules" })).toBe("/opt/modules");
    expect(redisModulesDir({ REDIS_MODULES_DIR: "mods" })).toBe(join(process.cwd(), "mods"));
    // Without it: shared/redis-modules beside this checkout (packages/testkit/test → the repo's parent).
    const beside = resolve(import.meta.dirname, "..", "..", "..", "..", "shared", "redis-modules");
    expect([beside, undefined]).toContain(redisModulesDir({}));
    if (existsSync(beside)) expect(redisModulesDir({})).toBe(beside);
  });

  it("finds a library directly in the folder or one folder down, and says where it looked when not", () => {
    const dir = mkdtempSync(join(tmpdir(), "polars-redis-modules-"));
    try {
      mkdirSync(join(dir, "redistimeseries-1.10.24"));
      writeFileSync(join(dir, "redistimeseries-1.10.24", "redistimeseries.so"), "");
      writeFileSync(join(dir, "rejson.so"), "");
      expect(resolveRedisModule("timeseries", dir)).toBe(
        join(dir, "redistimeseries-1.10.24", "redistimeseries.so"),
      );
      expect(resolveRedisModule("json", dir)).toBe(join(dir, "rejson.so"));
      const error = (() => {
        try {
          resolveRedisModule("search", dir);
        } catch (caught) {
          return caught;
        }
      })() as RedisModuleNotFoundError;
      expect(error).toBeInstanceOf(RedisModuleNotFoundError);
      expect(error.module).toBe("search");
      expect(error.searched).toBe(dir);
      expect(error.message).toContain(dir);
      expect(error.message).toContain("REDIS_MODULES_DIR");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(() => resolveRedisModule("search", join(empty, "absent"))).toThrow(/does not exist/);
    expect(() => resolveRedisModule("graph" as "search", empty)).toThrow(/unknown module name/);
  });

  it("refuses to start a server whose module is missing, before spawning anything", async () => {
    await expect(startRedis({ modules: ["search"], modulesDir: empty })).rejects.toThrow(
      RedisModuleNotFoundError,
    );
    await expect(
      startCluster({ masters: 1, replicasPerMaster: 0, modules: ["timeseries"], modulesDir: empty }),
    ).rejects.toThrow(RedisModuleNotFoundError);
  });

  it("fails a missing module under CI and skips it elsewhere", () => {
    const env = { REDIS_MODULES_DIR: empty };
    expect(moduleRequirement(["search"], { ...env, CI: "true" }).onMissing).toBe("fail");
    expect(moduleRequirement(["search"], { ...env, CI: "1" }).onMissing).toBe("fail");
    expect(moduleRequirement(["search"], { ...env, CI: "false" }).onMissing).toBe("skip");
    expect(moduleRequirement(["search"], env).onMissing).toBe("skip");
    const { missing } = moduleRequirement(["search", "timeseries"], env);
    expect(missing.map((error) => error.module)).toEqual(["search", "timeseries"]);
  });
});

describe.runIf(requireModules("search", "timeseries", "json"))("servers with modules", () => {
  it("loads RediSearch, RedisTimeSeries and ReJSON into a standalone server", async () => {
    await using server = await startRedis({ modules: ["search", "timeseries", "json"] });
    const modules = await moduleList(server.port);
    expect(modules.get("search")).toBeGreaterThanOrEqual(20600);
    expect(modules.get("timeseries")).toBeGreaterThanOrEqual(11000);
    expect(modules.get("ReJSON")).toBeGreaterThan(0);
    expect(server.args).toContain("--loadmodule");
  });

  it("loads modules into every node of a cluster, and they survive a restart", async () => {
    await using cluster = await startCluster({
      masters: 3,
      replicasPerMaster: 0,
      modules: ["search", "timeseries"],
    });
    for (const node of cluster.nodes) {
      const modules = await moduleList(node.port);
      expect([...modules.keys()].sort()).toEqual(["search", "timeseries"]);
    }
    const node = cluster.nodes[0]!;
    await node.restart();
    expect((await moduleList(node.port)).has("search")).toBe(true);
  });
});
