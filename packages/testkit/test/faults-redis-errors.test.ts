import { useRedis } from "@polars-redis/testkit/vitest";
import { Redis, type RedisOptions } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import {
  createFaultProxy,
  createWrongTypeConflict,
  debugSleep,
  forceOutOfMemory,
  killClients,
  pauseClients,
  waitFor,
  withAdminConnection,
} from "../src/index.js";

const fixture = useRedis();
const clients: Redis[] = [];

function client(options: Omit<RedisOptions, "replyMapping"> = {}): Redis {
  const redis = new Redis(fixture.server.url, { retryStrategy: () => 50, ...options });
  redis.on("error", () => {});
  clients.push(redis);
  return redis;
}

afterEach(() => {
  for (const redis of clients.splice(0)) redis.disconnect();
});

describe("forceOutOfMemory", () => {
  it("makes writes get the real OOM reply, keeps reads working, and restore() makes writes work again", async () => {
    const redis = client();
    await redis.set("oom:existing", "kept");
    const oom = await forceOutOfMemory(fixture.server);
    expect(oom.maxmemory).toBe(1);
    await expect(redis.set("oom:new", "x")).rejects.toThrow(
      /^OOM command not allowed when used memory > 'maxmemory'/,
    );
    expect(await redis.get("oom:existing")).toBe("kept");
    await oom.restore();
    await oom.restore();
    expect(await redis.set("oom:new", "x")).toBe("OK");
    expect(await redis.config("GET", "maxmemory")).toEqual(["maxmemory", "0"]);
  });

  it("with headroom, writes succeed until the data outgrows it", async () => {
    const redis = client();
    await using _oom = await forceOutOfMemory(fixture.server, { headroomBytes: 200_000 });
    let written = 0;
    let refusal: unknown;
    for (let index = 0; index < 100 && refusal === undefined; index++) {
      try {
        await redis.set(`oom:fill:${index}`, "f".repeat(10_000));
        written++;
      } catch (error) {
        refusal = error;
      }
    }
    expect(written).toBeGreaterThan(0);
    expect(String(refusal)).toMatch(/OOM command not allowed/);
  });

  it("rejects a negative headroom before touching the server", async () => {
    await expect(forceOutOfMemory(fixture.server, { headroomBytes: -1 })).rejects.toThrow(RangeError);
  });
});

describe("createWrongTypeConflict", () => {
  it("turns a key into a list so hash commands get WRONGTYPE", async () => {
    const redis = client();
    await redis.hset("conflict:1", "a", "1");
    await createWrongTypeConflict(fixture.server, "conflict:1");
    expect(await redis.type("conflict:1")).toBe("list");
    await expect(redis.hset("conflict:1", "a", "2")).rejects.toThrow(/^WRONGTYPE Operation against a key/);
  });

  it("can make the conflicting key any type", async () => {
    const redis = client();
    for (const as of ["string", "hash", "set", "zset", "stream"] as const) {
      await createWrongTypeConflict(fixture.server.url, `conflict:${as}`, { as });
      expect(await redis.type(`conflict:${as}`)).toBe(as);
    }
    await expect(redis.lpush("conflict:string", "x")).rejects.toThrow(/^WRONGTYPE/);
  });
});

describe("killClients", () => {
  it("kills the connections with a given name and ioredis reconnects", async () => {
    const victim = client({ connectionName: "victim" });
    const bystander = client({ connectionName: "bystander" });
    await Promise.all([victim.ping(), bystander.ping()]);
    let victimClosed = false;
    let bystanderClosed = false;
    victim.on("close", () => {
      victimClosed = true;
    });
    bystander.on("close", () => {
      bystanderClosed = true;
    });
    expect(await killClients(fixture.server, { name: "victim" })).toBe(1);
    await waitFor(() => victimClosed, { description: "the victim's connection to close" });
    expect(await bystander.ping()).toBe("PONG");
    expect(bystanderClosed).toBe(false);
    await waitFor(() => victim.status === "ready", { description: "the victim to reconnect" });
    expect(await victim.ping()).toBe("PONG");
  });

  it("kills every connection of a type, e.g. subscribers", async () => {
    const subscriber = client();
    const plain = client();
    await subscriber.subscribe("news");
    await plain.ping();
    let subscriberClosed = false;
    subscriber.on("close", () => {
      subscriberClosed = true;
    });
    expect(await killClients(fixture.server, { type: "pubsub" })).toBe(1);
    await waitFor(() => subscriberClosed, { description: "the subscriber to be dropped" });
    expect(await plain.ping()).toBe("PONG");
  });

  it("refuses to kill without a filter", async () => {
    await expect(killClients(fixture.server, {})).rejects.toThrow(TypeError);
  });
});

describe("pauseClients", () => {
  it("WRITE pauses writes but not reads, until unpaused", async () => {
    const redis = client({ commandTimeout: 300, maxRetriesPerRequest: 0 });
    await redis.set("pause:key", "before");
    const pause = await pauseClients(fixture.server, { ms: 10_000, mode: "WRITE" });
    expect(await redis.get("pause:key")).toBe("before");
    await expect(redis.set("pause:key", "during")).rejects.toThrow("Command timed out");
    await pause.unpause();
    // The held SET runs once the pause ends; the next write lands after it.
    expect(await redis.set("pause:key", "after")).toBe("OK");
    expect(await redis.get("pause:key")).toBe("after");
  });

  it("ALL pauses reads too, until the pause runs out", async () => {
    const redis = client({ commandTimeout: 200, maxRetriesPerRequest: 0 });
    await redis.set("pause:all", "readable");
    // The GET must reach the server while the pause lasts: 5 s leaves a loaded machine plenty of room.
    const pause = await pauseClients(fixture.server, { ms: 5_000 });
    await expect(redis.get("pause:all")).rejects.toThrow("Command timed out");
    // Redis 7.0 postpones CLIENT UNPAUSE itself under an ALL pause: unpause() returns when the pause is over.
    await pause.unpause();
    expect(await redis.get("pause:all")).toBe("readable");
  });
});

describe("debugSleep", () => {
  it("blocks every client until the server wakes up", async () => {
    const redis = client({ commandTimeout: 200, maxRetriesPerRequest: 0 });
    await redis.ping();
    const sleep = await debugSleep(fixture.server, 1_500);
    await expect(redis.ping()).rejects.toThrow("Command timed out");
    await sleep.finished;
    expect(await redis.ping()).toBe("PONG");
  });
});

describe("fault helpers against a server that does not answer", () => {
  it("fail loudly instead of hanging when a blackholed proxy swallows every byte", async () => {
    await using proxy = await createFaultProxy({ target: fixture.server.url });
    const blackhole = proxy.blackhole();
    const outcomes = await Promise.allSettled([
      forceOutOfMemory(proxy.url),
      killClients(proxy.url, { type: "pubsub" }),
      pauseClients(proxy.url, { ms: 1_000 }),
      createWrongTypeConflict(proxy.url, "blackholed:key"),
      debugSleep(proxy.url, 100),
    ]);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe("rejected");
      expect(String((outcome as PromiseRejectedResult).reason)).toMatch(
        new RegExp(`testkit admin connection to ${proxy.url}: (did not connect|Command timed out)`),
      );
    }
    await blackhole.remove();
    // Nothing reached the server: no limit was set, no client paused, no key replaced.
    const redis = client({ commandTimeout: 5_000 });
    expect(await redis.config("GET", "maxmemory")).toEqual(["maxmemory", "0"]);
    expect(await redis.exists("blackholed:key")).toBe(0);
  });

  it("withAdminConnection takes shorter deadlines, for the connection and for each command", async () => {
    await using proxy = await createFaultProxy({ target: fixture.server.url });
    const connected = await withAdminConnection(proxy, (admin) => admin.ping());
    expect(connected).toBe("PONG");
    // Connected first, then the link goes silent: the command's own deadline fires.
    await expect(
      withAdminConnection(
        proxy.url,
        async (admin) => {
          proxy.blackhole();
          return admin.ping();
        },
        { commandTimeoutMs: 300 },
      ),
    ).rejects.toThrow(/testkit admin connection to .*: Command timed out/);
    await expect(
      withAdminConnection(proxy.url, (admin) => admin.ping(), { connectTimeoutMs: 300 }),
    ).rejects.toThrow(/did not connect and answer the handshake within 300 ms/);
  });
});
