import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { createFaultProxy, type FaultProxy, type FaultProxyOptions } from "../faults/proxy/fault-proxy.js";
import { openAdminConnection } from "../server/admin-connection.js";
import { type RedisCluster, type StartClusterOptions, startCluster } from "../server/start-cluster.js";
import { type RedisServer, type StartRedisOptions, startRedis } from "../server/start-redis.js";

/** A server started before the tests of the enclosing file or describe block, stopped after them. */
export interface RedisFixture {
  /** The running server; reading it outside the tests (before beforeAll) throws. */
  readonly server: RedisServer;
  /** Shorthand for `server.url`. */
  readonly url: string;
}

/** Starts one redis-server for the enclosing file (or describe block) and stops it afterwards. */
export function useRedis(options: StartRedisOptions = {}): RedisFixture {
  let server: RedisServer | undefined;
  beforeAll(async () => {
    server = await startRedis(options);
  });
  afterAll(async () => {
    await server?.stop();
  });
  const started = () => {
    if (server === undefined)
      throw new Error("useRedis: the server starts in beforeAll; use it inside a test or hook");
    return server;
  };
  return {
    get server() {
      return started();
    },
    get url() {
      return started().url;
    },
  };
}

export interface ClusterFixture {
  readonly cluster: RedisCluster;
}

/** Starts one Redis Cluster for the enclosing file (or describe block) and stops it afterwards. */
export function useCluster(options: StartClusterOptions = {}): ClusterFixture {
  let cluster: RedisCluster | undefined;
  beforeAll(async () => {
    cluster = await startCluster(options);
  });
  afterAll(async () => {
    await cluster?.stop();
  });
  return {
    get cluster() {
      if (cluster === undefined)
        throw new Error("useCluster: the cluster starts in beforeAll; use it inside a test or hook");
      return cluster;
    },
  };
}

export interface FaultProxyFixture {
  readonly proxy: FaultProxy;
}

/**
 * A fresh fault proxy for every test (so no fault leaks into the next test), in front of `target()` (called
 * in beforeEach, so it can name a server that useRedis starts).
 */
export function useFaultProxy(
  target: () => FaultProxyOptions["target"] | { readonly url: string },
  options: Omit<FaultProxyOptions, "target"> = {},
): FaultProxyFixture {
  let proxy: FaultProxy | undefined;
  beforeEach(async () => {
    const resolved = target();
    proxy = await createFaultProxy({
      ...options,
      target: typeof resolved === "object" && "url" in resolved ? resolved.url : resolved,
    });
  });
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });
  return {
    get proxy() {
      if (proxy === undefined)
        throw new Error("useFaultProxy: the proxy starts in beforeEach; use it inside a test");
      return proxy;
    },
  };
}

/** What a connection fixture needs of a connection: a way to close it. */
export interface ClosableConnection {
  close(): Promise<void> | void;
}

/** The commands a connection's `batch` takes, when it has one (`never` otherwise). */
export type BatchCommands<C> = C extends {
  batch(commands: infer Commands, ...rest: never[]): Promise<unknown>;
}
  ? Commands
  : never;

/** A server and a connection to it, started before the tests of the enclosing file or describe block. */
export interface RedisConnectionFixture<C extends ClosableConnection> extends RedisFixture {
  /** The connection `connect` returned; reading it outside the tests (before beforeAll) throws. */
  readonly conn: C;
  /**
   * Sends the commands through the connection's `batch` in one call and throws the first error reply (a
   * reply that is an Error). For seeding data; the connection must have a `batch` method.
   */
  send(commands: BatchCommands<C>): Promise<void>;
}

export interface RedisConnectionFixtureOptions<C extends ClosableConnection> extends StartRedisOptions {
  /**
   * Opens the connection the tests use, e.g. `(url) => connect(url)` with `@polars-redis/core`'s connect.
   * Testkit does not depend on any client: any object with `close()` works.
   */
  readonly connect: (url: string) => Promise<C> | C;
  /** Empty the server (FLUSHALL) before every test, so each test starts on an empty keyspace. [false] */
  readonly flushBeforeEach?: boolean;
}

/**
 * Starts one redis-server and opens a connection to it (with `connect`) before the tests of the enclosing file
 * (or describe block); closes the connection and stops the server after them.
 */
export function useRedisConnection<C extends ClosableConnection>(
  options: RedisConnectionFixtureOptions<C>,
): RedisConnectionFixture<C> {
  if (typeof options?.connect !== "function")
    throw new TypeError("useRedisConnection: connect must be a function (url) => connection");
  const { connect, flushBeforeEach = false, ...startOptions } = options;
  const redis = useRedis(startOptions);
  const opened = useOpenConnection(() => connect(redis.url));
  if (flushBeforeEach) beforeEach(() => flushAll(redis.server));
  return connectionFixture("useRedisConnection", opened, {
    get server() {
      return redis.server;
    },
    get url() {
      return redis.url;
    },
  });
}

/** A cluster and a connection to it, started before the tests of the enclosing file or describe block. */
export interface ClusterConnectionFixture<C extends ClosableConnection> extends ClusterFixture {
  /** The connection `connect` returned; reading it outside the tests (before beforeAll) throws. */
  readonly conn: C;
  /** Like RedisConnectionFixture.send: one `batch` call, the first error reply thrown. */
  send(commands: BatchCommands<C>): Promise<void>;
}

export interface ClusterConnectionFixtureOptions<C extends ClosableConnection> extends StartClusterOptions {
  /** Opens the connection the tests use, e.g. `(cluster) => connectCluster(cluster.seeds)`. */
  readonly connect: (cluster: RedisCluster) => Promise<C> | C;
}

/**
 * Starts one Redis Cluster and opens a connection to it (with `connect`) before the tests of the enclosing file
 * (or describe block); closes the connection and stops the cluster after them.
 */
export function useClusterConnection<C extends ClosableConnection>(
  options: ClusterConnectionFixtureOptions<C>,
): ClusterConnectionFixture<C> {
  if (typeof options?.connect !== "function")
    throw new TypeError("useClusterConnection: connect must be a function (cluster) => connection");
  const { connect, ...startOptions } = options;
  const fixture = useCluster(startOptions);
  return connectionFixture(
    "useClusterConnection",
    useOpenConnection(() => connect(fixture.cluster)),
    {
      get cluster() {
        return fixture.cluster;
      },
    },
  );
}

/** Opens a connection in beforeAll and closes it in afterAll; returns a reader of the open connection. */
function useOpenConnection<C extends ClosableConnection>(open: () => Promise<C> | C): () => C | undefined {
  let conn: C | undefined;
  beforeAll(async () => {
    conn = await open();
  });
  afterAll(async () => {
    await conn?.close();
    conn = undefined;
  });
  return () => conn;
}

function connectionFixture<C extends ClosableConnection, Base extends object>(
  name: string,
  current: () => C | undefined,
  base: Base,
): Base & { readonly conn: C; send(commands: BatchCommands<C>): Promise<void> } {
  const started = (): C => {
    const conn = current();
    if (conn === undefined)
      throw new Error(`${name}: the connection opens in beforeAll; use it inside a test or hook`);
    return conn;
  };
  return Object.defineProperties(base, {
    conn: { get: started, enumerable: true },
    send: {
      enumerable: true,
      value: async (commands: BatchCommands<C>): Promise<void> => {
        const conn = started() as unknown as { batch?: (commands: unknown) => Promise<unknown> };
        if (typeof conn.batch !== "function")
          throw new TypeError(`${name}: send() needs a connection with a batch(commands) method`);
        const replies = await conn.batch(commands);
        if (Array.isArray(replies)) for (const reply of replies) if (reply instanceof Error) throw reply;
      },
    },
  }) as Base & { readonly conn: C; send(commands: BatchCommands<C>): Promise<void> };
}

async function flushAll(server: RedisServer): Promise<void> {
  const admin = await openAdminConnection(server);
  try {
    await admin.flushall();
  } finally {
    admin.disconnect();
  }
}
