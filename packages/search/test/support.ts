import { type Command, connect, type RedisConnection } from "@polars-redis/core";
import { type RedisServer, type StartRedisOptions, startRedis } from "@polars-redis/testkit";
import { afterAll, beforeAll } from "vitest";

export interface SearchServer {
  readonly server: RedisServer;
  readonly conn: RedisConnection;
  /** Sends the commands in one batch; throws the first error. */
  send(commands: readonly Command[]): Promise<void>;
}

/** A redis-server with RediSearch (and whatever else is asked) for the enclosing describe block. */
export function useSearchServer(options: StartRedisOptions = {}): SearchServer {
  let server: RedisServer | undefined;
  let conn: RedisConnection | undefined;
  beforeAll(async () => {
    server = await startRedis({ modules: ["search"], ...options });
    conn = await connect(server.url);
  });
  afterAll(async () => {
    await conn?.close();
    await server?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("useSearchServer: the server starts in beforeAll");
    return value;
  };
  return {
    get server() {
      return started(server);
    },
    get conn() {
      return started(conn);
    },
    async send(commands) {
      for (const reply of await started(conn).batch(commands)) if (reply instanceof Error) throw reply;
    },
  };
}

/** HSET commands for rows of field → value (null/undefined fields left out). */
export function hsets(
  prefix: string,
  rows: ReadonlyArray<Readonly<Record<string, string | number | boolean | null | undefined>>>,
): Command[] {
  return rows.map((row, i) => {
    const args: string[] = [];
    for (const [name, value] of Object.entries(row))
      if (value !== null && value !== undefined) args.push(name, String(value));
    return ["HSET", `${prefix}${i}`, ...args] as Command;
  });
}
