// The code of docs/testing.md, run as tests. The last test checks that every code block of the guide appears
// here verbatim (imports aside), so the guide cannot drift from code that runs.
import { readFileSync } from "node:fs";
import { connect, readHashes, readJson } from "@polars-redis/core";
import { Cluster, Redis } from "ioredis";
import pl from "nodejs-polars";
import { describe, expect, it } from "vitest";
import {
  crashAndRestart,
  createWrongTypeConflict,
  forceOutOfMemory,
  generateHashes,
  InMemoryModules,
  keySlot,
  killMaster,
  loadHashes,
  MockSink,
  MockWriteResult,
  migrateSlots,
  type SinkLike,
  startRedis,
  uniqueKeyPrefix,
  type WriteResultLike,
  waitFor,
} from "../src/index.js";
import {
  runSinkConformance,
  useCluster,
  useFaultProxy,
  useRedis,
  useRedisConnection,
} from "../src/vitest/index.js";

/** The pipeline under test: copy the active customers under `prefix` to a sink, retrying a failed write. */
async function exportActiveCustomers(redis: Redis, prefix: string, sink: SinkLike): Promise<number> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== "0");
  const pipeline = redis.pipeline();
  for (const key of keys) pipeline.hmget(key, "id", "name", "active");
  const replies = (await pipeline.exec()) ?? [];
  const active = { _key: [] as string[], id: [] as number[], name: [] as string[] };
  replies.forEach(([error, reply], index) => {
    if (error) throw error;
    const [id, name, flag] = reply as Array<string | null>;
    if (flag !== "true") return;
    active._key.push(keys[index]!);
    active.id.push(Number(id));
    active.name.push(name ?? "");
  });
  const frame = pl.DataFrame(active, { schema: { _key: pl.Utf8, id: pl.Int64, name: pl.Utf8 } });
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await sink.write(frame, {
        signal: AbortSignal.timeout(5_000),
        attempt,
        rowIds: active._key,
      });
      if (result.isCompleteSuccess()) return result.written;
      throw new Error(`sink failed keys: ${result.failedKeys().join(", ")}`);
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}

describe("testing a pipeline with testkit", () => {
  const redis = useRedis({ persistence: true });

  it("exports every active customer", async () => {
    const client = new Redis(redis.url);
    const prefix = uniqueKeyPrefix("customers");
    const customers = generateHashes({ count: 1_000, seed: 7, keyPrefix: prefix });
    await loadHashes(client, customers);

    const sink = new MockSink();
    const exported = await exportActiveCustomers(client, prefix, sink);

    const expected = customers.columns.active.filter((active) => active === true).length;
    expect(exported).toBe(expected);
    expect(sink.rows()).toHaveLength(expected);
    client.disconnect();
  });

  it("retries a sink that fails twice, and gives up on a key that keeps failing", async () => {
    const client = new Redis(redis.url);
    const prefix = uniqueKeyPrefix("customers");
    const customers = generateHashes({ count: 200, seed: 7, keyPrefix: prefix });
    await loadHashes(client, customers);

    const flaky = MockSink.failingTimes(2);
    await exportActiveCustomers(client, prefix, flaky);
    expect(flaky.calls.map((call) => call.context.attempt)).toEqual([1, 2, 3]);

    const stuck = new MockSink({ write: (call) => ({ failKeys: call.keys.slice(0, 1) }) });
    await expect(exportActiveCustomers(client, prefix, stuck)).rejects.toThrow(/sink failed keys/);
    expect(stuck.calls).toHaveLength(3);
    client.disconnect();
  });

  describe("network faults", () => {
    const proxied = useFaultProxy(() => redis.server);

    it("times out instead of hanging when Redis stops answering", async () => {
      const prefix = uniqueKeyPrefix("customers");
      const direct = new Redis(redis.url);
      await loadHashes(direct, generateHashes({ count: 100, keyPrefix: prefix }));
      const client = new Redis(proxied.proxy.url, { commandTimeout: 500, maxRetriesPerRequest: 0 });
      await client.ping(); // connected before the fault

      const blackhole = proxied.proxy.blackhole();
      await expect(exportActiveCustomers(client, prefix, new MockSink())).rejects.toThrow(
        "Command timed out",
      );
      await blackhole.remove();
      expect(await exportActiveCustomers(client, prefix, new MockSink())).toBeGreaterThan(0);
      client.disconnect();
      direct.disconnect();
    });

    it("recovers after the connection is reset", async () => {
      const prefix = uniqueKeyPrefix("customers");
      const direct = new Redis(redis.url);
      await loadHashes(direct, generateHashes({ count: 100, keyPrefix: prefix }));
      const client = new Redis(proxied.proxy.url, { retryStrategy: () => 50 });
      client.on("error", () => {}); // ECONNRESET while the fault is on
      await client.ping();

      const reset = proxied.proxy.reset();
      await waitFor(() => client.status !== "ready", { description: "the reset to reach the client" });
      await reset.remove();
      await waitFor(() => client.status === "ready", { description: "the client to reconnect" });
      expect(await exportActiveCustomers(client, prefix, new MockSink())).toBeGreaterThan(0);
      client.disconnect();
      direct.disconnect();
    });

    it("gives the same result over a slow, fragmented link", async () => {
      const prefix = uniqueKeyPrefix("customers");
      const direct = new Redis(redis.url);
      await loadHashes(direct, generateHashes({ count: 100, keyPrefix: prefix }));
      const client = new Redis(proxied.proxy.url);

      const expected = await exportActiveCustomers(direct, prefix, new MockSink());
      proxied.proxy.latency({ latencyMs: 20, jitterMs: 5 });
      proxied.proxy.slice({ averageSize: 16, sizeVariation: 8, direction: "toClient" });
      expect(await exportActiveCustomers(client, prefix, new MockSink())).toBe(expected);
      client.disconnect();
      direct.disconnect();
    });
  });

  describe("server errors", () => {
    it("sees the real OOM reply, and writes again after restore", async () => {
      const client = new Redis(redis.url);
      const oom = await forceOutOfMemory(redis.server);
      await expect(client.hset("customer:new", "name", "Ada")).rejects.toThrow(/^OOM command not allowed/);
      await oom.restore();
      expect(await client.hset("customer:new", "name", "Ada")).toBe(1);
      client.disconnect();
    });

    it("fails loudly on a key of the wrong type", async () => {
      const client = new Redis(redis.url);
      const prefix = uniqueKeyPrefix("customers");
      await loadHashes(client, generateHashes({ count: 10, keyPrefix: prefix }));
      await createWrongTypeConflict(redis.server, `${prefix}3`);
      await expect(exportActiveCustomers(client, prefix, new MockSink())).rejects.toThrow(/^WRONGTYPE/);
      client.disconnect();
    });

    it("gives the same export after kill -9 and a restart (with persistence)", async () => {
      const client = new Redis(redis.url, { retryStrategy: () => 50 });
      client.on("error", () => {});
      const prefix = uniqueKeyPrefix("customers");
      await loadHashes(client, generateHashes({ count: 300, keyPrefix: prefix }));
      const before = await exportActiveCustomers(client, prefix, new MockSink());

      await crashAndRestart(redis.server);
      expect(await exportActiveCustomers(client, prefix, new MockSink())).toBe(before);
      client.disconnect();
    });
  });

  describe("cluster faults", () => {
    const fixture = useCluster({ masters: 3, replicasPerMaster: 1 });

    it("serves a killed master's slots from its promoted replica", async () => {
      const { cluster } = fixture;
      const client = new Cluster(cluster.seeds);
      client.on("error", () => {}); // the killed node refuses connections until it rejoins
      const key = "{orders}:1";
      await client.set(key, "42");
      const master = await cluster.masterForKey(key);
      const direct = new Redis(master.url);
      await direct.call("WAIT", "1", "5000"); // the replica has the write before the crash
      direct.disconnect();

      const { promoted, rejoin } = await killMaster(cluster, { key });
      expect(await cluster.masterForKey(key)).toBe(promoted);
      expect(await client.get(key)).toBe("42");
      await rejoin();
      client.disconnect();
    });

    it("follows ASK redirects while a slot is half migrated", async () => {
      const { cluster } = fixture;
      const client = new Cluster(cluster.seeds);
      const keys = ["{cart}:1", "{cart}:2", "{cart}:3"];
      for (const key of keys) await client.set(key, key);

      const migration = await migrateSlots(cluster, {
        slots: keySlot("{cart}"),
        leaveMigrating: true,
        keysToMove: 1,
      });
      const source = new Redis(migration.from.url);
      const stillHere = await source.call("CLUSTER", "GETKEYSINSLOT", String(keySlot("{cart}")), "10");
      const moved = keys.find((key) => !(stillHere as string[]).includes(key))!;
      await expect(source.get(moved)).rejects.toThrow(/^ASK /);
      for (const key of keys) expect(await client.get(key)).toBe(key);

      await migration.restore();
      source.disconnect();
      client.disconnect();
    });
  });
});

/** A sink of your own: one hash per row (HSET), failures reported per key. */
class HashSink implements SinkLike {
  readonly name = "hash-sink";
  #closed = false;

  constructor(readonly redis: Redis) {}

  async write(frame: pl.DataFrame): Promise<WriteResultLike> {
    const rows = frame.toRecords();
    const pipeline = this.redis.pipeline();
    for (const { _key, ...fields } of rows) pipeline.hset(String(_key), fields as Record<string, string>);
    const replies = (await pipeline.exec()) ?? [];
    const writtenKeys: string[] = [];
    const errors = new Map<string, Error & { retryable: boolean }>();
    replies.forEach(([error], index) => {
      const key = String(rows[index]!._key);
      if (error) errors.set(key, Object.assign(error, { retryable: !error.message.startsWith("WRONGTYPE") }));
      else writtenKeys.push(key);
    });
    return new MockWriteResult({ writtenKeys, errors }); // in your code: core's WriteResult
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.redis.quit();
  }
}

describe("a connection per file, and module commands without the module", () => {
  const redis = useRedisConnection({ connect: (url) => connect(url), flushBeforeEach: true });

  it("reads what the test wrote, on an empty server", async () => {
    await redis.send([["HSET", "customer:1", "name", "Ada"]]);
    const frame = await readHashes(redis.conn, { pattern: "customer:*", schema: { name: pl.Utf8 } });
    expect(frame.getColumn("name").toArray()).toEqual(["Ada"]);
  });

  it("answers RedisJSON reads from memory, and records what was sent", async () => {
    const fake = new InMemoryModules({ documents: [["order:1", { total: 12.5 }]] });
    const orders = await readJson(fake, { pattern: "order:*", schema: { total: pl.Float64 } });
    expect(orders.getColumn("total").toArray()).toEqual([12.5]);
    expect(fake.commands.map(([name]) => name)).toContain("JSON.GET");
  });
});

describe("checking a sink of your own", () => {
  const redis = useRedis();

  runSinkConformance("HashSink", {
    makeSink: () => new HashSink(new Redis(redis.url)),
    readBack: async (sink, keys) => {
      const stored = await Promise.all(
        keys.map(async (key) => ({ _key: key, ...(await sink.redis.hgetall(key)) })),
      );
      return stored.filter((record) => Object.keys(record).length > 1);
    },
    provokeFailure: async (_sink, frame) => {
      const failing = frame.getColumn("_key").toArray().slice(0, 2).map(String);
      for (const key of failing) await createWrongTypeConflict(redis.server, key);
      return failing;
    },
  });
});

describe("the guide", () => {
  it("shows only code that runs here", () => {
    const guide = readFileSync(new URL("../../../docs/testing.md", import.meta.url), "utf8");
    const normalize = (code: string) =>
      code
        .replace(/^import[\s\S]*?from\s+"[^"]+";$/gm, "")
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line !== "")
        .join("\n");
    const source = normalize(readFileSync(new URL(import.meta.url), "utf8"));
    const blocks = [...guide.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => normalize(match[1]!));
    expect(blocks.length).toBeGreaterThan(5);
    for (const block of blocks) {
      if (block === "") continue;
      expect(source, `this guide block does not run anywhere:\n${block}`).toContain(block);
    }
  });

  it("startRedis works outside vitest too, with await using", async () => {
    let port = 0;
    {
      await using server = await startRedis();
      port = server.port;
      const client = new Redis(server.url);
      expect(await client.ping()).toBe("PONG");
      client.disconnect();
    }
    expect(port).toBeGreaterThan(0);
  });
});
