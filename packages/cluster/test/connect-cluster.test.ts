import {
  ConnectionClosedError,
  InvalidArgumentError,
  RedisCommandError,
  RedisConnectionError,
} from "@polars-redis/core";
import { startRedis, waitFor } from "@polars-redis/testkit";
import { useCluster } from "@polars-redis/testkit/vitest";
import { Cluster, Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { connectCluster } from "../src/index.js";

const fixture = useCluster({ masters: 3, replicasPerMaster: 0, nodeTimeoutMs: 1000 });

/** Runs a command on every node directly (admin work the cluster client must not be involved in). */
async function onEveryNode(...command: string[]): Promise<void> {
  await Promise.all(
    fixture.cluster.nodes.map(async (node) => {
      const redis = new Redis({ host: node.host, port: node.port, lazyConnect: true, protocol: 2 });
      await redis.connect();
      try {
        await redis.call(command[0]!, ...command.slice(1));
      } finally {
        redis.disconnect();
      }
    }),
  );
}

const spread = (count: number) => Array.from({ length: count }, (_, i) => `spread:${i}`);

describe("connectCluster: seeds and options", () => {
  it("discovers every master from one seed, in any of the seed forms", async () => {
    const [node] = fixture.cluster.nodes;
    for (const seed of [
      node!.url,
      `${node!.host}:${node!.port}`,
      { host: node!.host, port: node!.port },
      [node!.url],
    ]) {
      const conn = await connectCluster(seed);
      try {
        expect(conn.kind).toBe("cluster");
        const masters = conn.masters();
        expect(masters.map((master) => master.port).sort()).toEqual(
          fixture.cluster.nodes.map((n) => n.port).sort(),
        );
        const slots = masters
          .flatMap((master) => master.slotRanges)
          .reduce((total, [a, b]) => total + b - a + 1, 0);
        expect(slots).toBe(16_384);
      } finally {
        await conn.close();
      }
    }
  });

  it("rejects bad seeds and options before opening a socket", async () => {
    const cases: Array<[unknown, object | undefined, string]> = [
      [[], undefined, "seeds"],
      ["no-port-here", undefined, "seeds"],
      ["redis://127.0.0.1:7000/2", undefined, "seeds"],
      ["http://127.0.0.1:7000", undefined, "url"],
      [{ host: "h", port: 0 }, undefined, "seeds"],
      [fixture.cluster.nodes[0]!.url, { scanConcurrency: 0 }, "scanConcurrency"],
      [fixture.cluster.nodes[0]!.url, { retryWindowMs: -1 }, "retryWindowMs"],
      [fixture.cluster.nodes[0]!.url, { retry: { attempts: 3 } }, "retry.attempts"],
      [fixture.cluster.nodes[0]!.url, { retry: { initialDelayMs: -1 } }, "retry.initialDelayMs"],
      [fixture.cluster.nodes[0]!.url, { retry: { initialMs: 10 } }, "retry.initialMs"],
    ];
    for (const [seeds, options, argument] of cases) {
      const error = await connectCluster(seeds as string, options).catch((e: unknown) => e);
      expect(InvalidArgumentError.isInstance(error), JSON.stringify(seeds)).toBe(true);
      expect((error as InvalidArgumentError).argument).toBe(argument);
    }
  });

  it("says so when the server is not in cluster mode", async () => {
    await using plain = await startRedis();
    const error = await connectCluster(plain.url).catch((e: unknown) => e);
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/cluster mode.*connect\(\)/);
  });

  it("rejects unreachable seeds with a RedisConnectionError naming them", async () => {
    const gone = await startRedis();
    const port = gone.port;
    await gone.stop();
    const error = await connectCluster(`127.0.0.1:${port}`, { connectTimeoutMs: 2000 }).catch(
      (e: unknown) => e,
    );
    expect(RedisConnectionError.isInstance(error)).toBe(true);
    expect((error as RedisConnectionError).outcome).toBe("rejected");
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
  });

  it("duplicate() opens an independent connection; close() refuses further work", async () => {
    const conn = await connectCluster(fixture.cluster.seeds);
    const copy = await conn.duplicate();
    await conn.close();
    await expect(conn.call("PING")).rejects.toSatisfy((e) => ConnectionClosedError.isInstance(e));
    expect(() => conn.scanKeys()).toThrow(/closed/);
    expect(await copy.call("SET", "dup:key", "1")).toBe("OK");
    expect(copy.kind).toBe("cluster");
    await copy.close();
  });
});

describe("connectCluster: natMap", () => {
  it("dials the mapped address of every node the cluster announces", async () => {
    // The nodes announce hostnames nobody can resolve; only the natMap makes them reachable.
    const natMap: Record<string, { host: string; port: number }> = {};
    for (const node of fixture.cluster.nodes) {
      natMap[`node-${node.port}.invalid:${node.port}`] = { host: node.host, port: node.port };
    }
    await Promise.all(
      fixture.cluster.nodes.map(async (node) => {
        const redis = new Redis({ host: node.host, port: node.port, lazyConnect: true, protocol: 2 });
        await redis.connect();
        await redis.call("CONFIG", "SET", "cluster-announce-hostname", `node-${node.port}.invalid`);
        redis.disconnect();
      }),
    );
    await onEveryNode("CONFIG", "SET", "cluster-preferred-endpoint-type", "hostname");
    try {
      // Wait until every node announces every other by hostname (hostnames travel by gossip).
      await waitFor(
        async () => {
          const probe = new Redis({ ...fixture.cluster.seeds[0]!, lazyConnect: true, protocol: 2 });
          await probe.connect();
          const slots = JSON.stringify(await probe.call("CLUSTER", "SLOTS"));
          probe.disconnect();
          return fixture.cluster.nodes.every((node) => slots.includes(`node-${node.port}.invalid`));
        },
        { timeoutMs: 20_000, description: "hostnames in CLUSTER SLOTS" },
      );

      const blind = await connectCluster(fixture.cluster.seeds[0]!, {
        retryWindowMs: 300,
        connectTimeoutMs: 1000,
      });
      try {
        const replies = await blind.batch(spread(30).map((key) => ["SET", key, "x"] as const));
        expect(replies.every((reply) => RedisConnectionError.isInstance(reply))).toBe(true);
      } finally {
        await blind.close();
      }

      const mapped = await connectCluster(fixture.cluster.seeds[0]!, { natMap });
      try {
        expect(mapped.masters().every((master) => master.host === "127.0.0.1")).toBe(true);
        const keys = spread(300);
        expect(await mapped.batch(keys.map((key) => ["SET", key, key] as const))).toEqual(
          keys.map(() => "OK"),
        );
        expect(await mapped.batch(keys.map((key) => ["GET", key] as const))).toEqual(keys);
        const scanned: string[] = [];
        for await (const page of mapped.scanKeys({ pattern: "spread:*" })) scanned.push(...page);
        expect(scanned.sort()).toEqual([...keys].sort());
      } finally {
        await mapped.close();
      }
    } finally {
      await onEveryNode("CONFIG", "SET", "cluster-preferred-endpoint-type", "ip");
    }
  });
});

describe("connectCluster: credentials reach every node", () => {
  it("works on a password-protected cluster, from a URL and from an ioredis Cluster's options", async () => {
    // masterauth first (replication keeps authenticating), then requirepass on every node.
    await onEveryNode("CONFIG", "SET", "masterauth", "s3cr:et");
    await onEveryNode("CONFIG", "SET", "requirepass", "s3cr:et");
    const seed = fixture.cluster.nodes[0]!;
    const keys = spread(600).map((key) => `auth:${key}`);

    const anonymous = await connectCluster(seed.url).catch((e: unknown) => e);
    // A refused login is a non-retryable RedisCommandError, reported at once (not a connection problem).
    expect(RedisCommandError.isInstance(anonymous)).toBe(true);
    expect((anonymous as RedisCommandError).redisCode).toBe("NOAUTH");
    const wrong = await connectCluster(`redis://:nope@${seed.host}:${seed.port}`).catch((e: unknown) => e);
    expect((wrong as RedisCommandError).redisCode).toBe("WRONGPASS");

    const fromUrl = await connectCluster(
      `redis://:${encodeURIComponent("s3cr:et")}@${seed.host}:${seed.port}`,
    );
    try {
      // Every master is written to and scanned: each needs the password, not only the seed.
      expect(await fromUrl.batch(keys.map((key) => ["SET", key, key] as const))).toEqual(
        keys.map(() => "OK"),
      );
      const scanned: string[] = [];
      for await (const page of fromUrl.scanKeys({ pattern: "auth:*" })) scanned.push(...page);
      expect(scanned.sort()).toEqual([...keys].sort());
    } finally {
      await fromUrl.close();
    }

    const application = new Cluster([{ host: seed.host, port: seed.port }], {
      lazyConnect: true,
      redisOptions: { password: "s3cr:et" },
    });
    const fromCluster = await connectCluster(application);
    try {
      expect(await fromCluster.batch(keys.map((key) => ["GET", key] as const))).toEqual(keys);
      expect(application.status).toBe("wait"); // the application's own client was never used
    } finally {
      await fromCluster.close();
      application.disconnect();
    }
  });
});
