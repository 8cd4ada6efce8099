import { connect, type RedisConnection } from "@polars-redis/core";
import { createFaultProxy, type FaultProxy } from "@polars-redis/testkit";
import { afterEach, beforeEach } from "vitest";
import type { RedisConnectionFixture } from "./redis-fixture.js";

export interface ProxiedConnectionFixture {
  readonly proxy: FaultProxy;
  /** A connection to the fixture's server through the proxy. */
  readonly conn: RedisConnection;
}

/**
 * A fault proxy in front of `redis`'s server and a connection through it, fresh for every test of the enclosing
 * describe block (faults never leak from one test into the next). Read `proxy` and `conn` inside tests.
 */
export function useProxiedConnection(
  redis: RedisConnectionFixture,
  options: { commandTimeoutMs: number },
): ProxiedConnectionFixture {
  let proxy: FaultProxy | undefined;
  let conn: RedisConnection | undefined;
  beforeEach(async () => {
    proxy = await createFaultProxy({ target: redis.server.url });
    conn = await connect(proxy.url, { commandTimeoutMs: options.commandTimeoutMs });
  });
  afterEach(async () => {
    await conn?.close();
    await proxy?.close();
  });
  return {
    get proxy() {
      return proxy!;
    },
    get conn() {
      return conn!;
    },
  };
}
