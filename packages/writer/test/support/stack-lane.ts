import { connect, type RedisConnection } from "@polars-redis/core";
import { type RedisModuleName, type RedisServer, startRedis } from "@polars-redis/testkit";
import { afterAll, beforeAll } from "vitest";

/** A Redis Stack / Redis 8 server (RedisJSON, RedisTimeSeries) for the live lanes; none on this machine. */
export const STACK_URL = process.env.REDIS_STACK_URL;

/** Says why a live lane does not run, once per test file. */
export function reportSkippedLane(lane: string): void {
  if (!STACK_URL)
    console.info(
      `${lane} live lane skipped: set REDIS_STACK_URL to a Redis Stack / Redis 8 server to run it`,
    );
}

export interface StackLane {
  readonly conn: RedisConnection;
  /** Prefix for every key the lane writes; they are deleted after its tests. */
  readonly prefix: string;
}

/** Connects to STACK_URL for the enclosing (skipIf-guarded) describe block, and cleans up its keys after it. */
export function useStackLane(): StackLane {
  const prefix = `polars-redis-writer-test:${process.pid}:`;
  let conn: RedisConnection | undefined;
  beforeAll(async () => {
    conn = await connect(STACK_URL!);
  });
  afterAll(async () => {
    if (conn === undefined) return;
    const keys: string[] = [];
    for await (const page of conn.scanKeys({ pattern: `${prefix}*` })) keys.push(...page);
    if (keys.length > 0) await conn.call("DEL", ...keys);
    await conn.close();
  });
  return {
    get conn() {
      if (conn === undefined) throw new Error("useStackLane: the connection opens in beforeAll");
      return conn;
    },
    prefix,
  };
}

/**
 * A testkit redis-server with `modules` loaded (RediSearch, RedisTimeSeries, ReJSON from REDIS_MODULES_DIR) for
 * the enclosing describe block; guard it with `describe.runIf(requireModules(...))`.
 */
export function useModuleLane(modules: readonly RedisModuleName[]): StackLane {
  let server: RedisServer | undefined;
  let conn: RedisConnection | undefined;
  beforeAll(async () => {
    server = await startRedis({ modules });
    conn = await connect(server.url);
  });
  afterAll(async () => {
    await conn?.close();
    await server?.stop();
  });
  return {
    get conn() {
      if (conn === undefined) throw new Error("useModuleLane: the server starts in beforeAll");
      return conn;
    },
    prefix: "polars-redis-writer-test:",
  };
}
