import { connect, type RedisConnection } from "@polars-redis/core";
import { type RedisServer, startRedis } from "@polars-redis/testkit";
import { afterAll, beforeAll, beforeEach } from "vitest";

/** A redis-server and a connection to it, for the tests of one file (or describe block). */
export interface RedisConnectionFixture {
  readonly server: RedisServer;
  readonly conn: RedisConnection;
}

/**
 * Starts a redis-server and connects to it before the tests of the enclosing file (or describe block);
 * closes the connection and stops the server after them. With `flushBeforeEach`, every test starts on an
 * empty server. Read `server` and `conn` inside tests and hooks.
 */
export function useRedisConnection(options: { flushBeforeEach?: boolean } = {}): RedisConnectionFixture {
  let server: RedisServer | undefined;
  let conn: RedisConnection | undefined;
  beforeAll(async () => {
    server = await startRedis();
    conn = await connect(server.url);
  });
  afterAll(async () => {
    await conn?.close();
    await server?.stop();
  });
  if (options.flushBeforeEach) {
    beforeEach(async () => {
      await conn?.call("FLUSHALL");
    });
  }
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("useRedisConnection: the server starts in beforeAll");
    return value;
  };
  return {
    get server() {
      return started(server);
    },
    get conn() {
      return started(conn);
    },
  };
}
