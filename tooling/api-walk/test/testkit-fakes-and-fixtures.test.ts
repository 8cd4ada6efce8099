import { connect, type RedisConnection } from "@polars-redis/core";
import { createFaultProxy, errorReply, InMemoryModules, RecordingConnection } from "@polars-redis/testkit";
import { useClusterConnection, useRedis, useRedisConnection } from "@polars-redis/testkit/vitest";
import { describe, expect, it } from "vitest";

// testkit is not a library of PolarsRedisErrors: like the rest of testkit, its connection fixtures and test fakes
// refuse wrong arguments with the built-in TypeError / RangeError. This walks their wrong calls the way the
// table walks the packages: each fails with its typed error, synchronously, and nothing reaches the server.
// `conn` is a live connection through a fault proxy: a wrong call that holds it must not use it.
type WrongCalls = (
  conn: RedisConnection,
) => ReadonlyArray<readonly [string, () => unknown, ErrorConstructor]>;
const WRONG_CALLS: Record<string, WrongCalls> = {
  RecordingConnection: (conn) => [
    ["options not an object", () => new RecordingConnection(42 as never), TypeError],
    ["respond not a function", () => new RecordingConnection({ respond: "PONG" as never }), TypeError],
    ["inner not a connection", () => new RecordingConnection({ inner: {} as never }), TypeError],
    ["scanPageSize 0", () => new RecordingConnection({ scanPageSize: 0 }), RangeError],
    ["an unknown kind", () => new RecordingConnection({ kind: "sentinel" as never }), TypeError],
    [
      "a real inner with a bad page size",
      () => new RecordingConnection({ inner: conn, scanPageSize: -1 }),
      RangeError,
    ],
    [
      "a real inner with a bad respond",
      () => new RecordingConnection({ inner: conn, respond: 1 as never }),
      TypeError,
    ],
  ],
  InMemoryModules: () => [
    ["options null", () => new InMemoryModules(null as never), TypeError],
    ["decodeArgument not a function", () => new InMemoryModules({ decodeArgument: 1 as never }), TypeError],
    ["scripts not an array", () => new InMemoryModules({ scripts: {} as never }), TypeError],
  ],
  errorReply: () => [
    ["command not a string", () => errorReply(1 as never, "ERR x"), TypeError],
    ["message not a string", () => errorReply("GET", undefined as never), TypeError],
  ],
  useRedisConnection: (conn) => [
    ["no options", () => useRedisConnection(undefined as never), TypeError],
    ["connect missing", () => useRedisConnection({} as never), TypeError],
    ["connect not a function", () => useRedisConnection({ connect: "redis://x" as never }), TypeError],
    ["a connection instead of connect", () => useRedisConnection({ connect: conn as never }), TypeError],
  ],
  useClusterConnection: (conn) => [
    ["no options", () => useClusterConnection(undefined as never), TypeError],
    ["connect missing", () => useClusterConnection({ masters: 3 } as never), TypeError],
    ["a connection instead of connect", () => useClusterConnection({ connect: conn as never }), TypeError],
  ],
};

describe("testkit's connection fixtures and test fakes: wrong calls fail typed and send nothing", () => {
  const redis = useRedis();

  for (const [name, calls] of Object.entries(WRONG_CALLS)) {
    it(name, async () => {
      const proxy = await createFaultProxy({ target: redis.url });
      const conn = await connect(proxy.url);
      try {
        const before = proxy.stats();
        for (const [label, call, type] of calls(conn)) expect(call, `${name}: ${label}`).toThrow(type);
        const after = proxy.stats();
        expect(after.bytesToServer - before.bytesToServer).toBe(0);
        expect(after.totalConnections - before.totalConnections).toBe(0);
      } finally {
        await conn.close();
        await proxy.close();
      }
    });
  }
});
