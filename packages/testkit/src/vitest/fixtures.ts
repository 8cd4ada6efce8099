import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { createFaultProxy, type FaultProxy, type FaultProxyOptions } from "../faults/proxy/fault-proxy.js";
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
