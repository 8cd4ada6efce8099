import {
  type RedisConnection,
  RedisConnectionError,
  RedisTimeoutError,
  readHashes,
} from "@polars-redis/core";
import type { RawChannel } from "@polars-redis/core/internal";
import { keySlot, migrateSlots, pauseClients, waitFor, withAdminConnection } from "@polars-redis/testkit";
import pl from "nodejs-polars";
import { describe, expect, it } from "vitest";
import { type ClusterConnection, connectCluster } from "../src/index.js";
import { useSeededCluster } from "./fixtures/clusters.js";

// The raw channel core's fast readers use: RESP bytes in, replies out in the order written, whichever master
// each command went to, with MOVED and ASK followed on the way.
const redis = useSeededCluster(0);

function encode(...commands: string[][]): Buffer {
  const text = commands
    .map(
      (args) =>
        `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join("")}`,
    )
    .join("");
  return Buffer.from(text);
}

/** Collects the channel's byte stream and splits it into bulk-string / error replies (GET answers). */
function collectReplies(channel: RawChannel, expected: number): Promise<Array<string | null>> {
  return new Promise((resolve, reject) => {
    let text = "";
    channel.onClose((error) => {
      if (error) reject(error);
    });
    channel.onData((chunk) => {
      text += chunk.toString("latin1");
      const replies: Array<string | null> = [];
      let at = 0;
      while (at < text.length) {
        const lineEnd = text.indexOf("\r\n", at);
        if (lineEnd < 0) break;
        const head = text.slice(at, lineEnd);
        if (head.startsWith("$")) {
          const length = Number(head.slice(1));
          if (length < 0) {
            replies.push(null);
            at = lineEnd + 2;
            continue;
          }
          if (text.length < lineEnd + 2 + length + 2) break;
          replies.push(text.slice(lineEnd + 2, lineEnd + 2 + length));
          at = lineEnd + 2 + length + 2;
        } else {
          replies.push(head);
          at = lineEnd + 2;
        }
      }
      if (replies.length >= expected) resolve(replies);
    });
  });
}

async function getAll(keys: readonly string[]): Promise<Array<string | null>> {
  const channel = await redis.conn.openRawChannel();
  try {
    const replies = collectReplies(channel, keys.length);
    channel.write(encode(...keys.map((key) => ["GET", key])));
    return await replies;
  } finally {
    channel.close();
  }
}

describe("ClusterConnection.openRawChannel", () => {
  it("routes each command to its key's master and keeps the written order in the replies", async () => {
    const keys = Array.from({ length: 3000 }, (_, i) => `raw:${i}`);
    await redis.conn.batch(keys.map((key, i) => ["SET", key, `v${i}`] as const));
    const mixed = [...keys.slice(0, 1500), "raw:missing", ...keys.slice(1500)];
    expect(await getAll(mixed)).toEqual([
      ...keys.slice(0, 1500).map((_, i) => `v${i}`),
      null,
      ...keys.slice(1500).map((_, i) => `v${1500 + i}`),
    ]);
  });

  it("routes commands whose key is not their first argument (XREAD ... STREAMS key) without a redirect", async () => {
    const streams = Array.from({ length: 12 }, (_, i) => `rawstream:${i}`);
    await redis.conn.batch(streams.map((key, i) => ["XADD", key, `${i + 1}-1`, "n", String(i)] as const));
    const before = redis.conn.stats().moved;
    const channel = await redis.conn.openRawChannel();
    try {
      const replies = new Promise<string>((resolve) => {
        let text = "";
        channel.onData((chunk) => {
          text += chunk.toString("latin1");
          // Each reply ends with the entry's field value, the last bulk string of the reply.
          if (streams.every((_, i) => text.includes(`$${String(i).length}\r\n${i}\r\n`))) resolve(text);
        });
      });
      channel.write(encode(...streams.map((key) => ["XREAD", "COUNT", "1", "STREAMS", key, "0"])));
      const text = await replies;
      for (const key of streams) expect(text).toContain(key);
      expect(redis.conn.stats().moved).toBe(before);
    } finally {
      channel.close();
    }
  });

  it("follows MOVED for a slot that moved behind its back", async () => {
    const keys = Array.from({ length: 30 }, (_, i) => `{rawmoved}:${i}`);
    await redis.conn.batch(keys.map((key) => ["SET", key, key] as const));
    await migrateSlots(redis.cluster, { slots: keySlot("{rawmoved}") });
    const before = redis.conn.stats().moved;
    expect(await getAll(keys)).toEqual(keys);
    expect(redis.conn.stats().moved).toBeGreaterThan(before);
  });

  it("follows ASK (with ASKING) for keys already moved out of a slot in mid-migration", async () => {
    const keys = Array.from({ length: 30 }, (_, i) => `{rawask}:${i}`);
    await redis.conn.batch(keys.map((key) => ["SET", key, key] as const));
    const migration = await migrateSlots(redis.cluster, {
      slots: keySlot("{rawask}"),
      leaveMigrating: true,
      keysToMove: 12,
    });
    try {
      const before = redis.conn.stats().ask;
      expect(await getAll(keys)).toEqual(keys);
      expect(redis.conn.stats().ask - before).toBeGreaterThanOrEqual(12);
    } finally {
      await migration.finish();
    }
  });

  it("carries readHashes' fast path: the same frame as the batch path, across a slot in mid-migration", async () => {
    const schema = { name: pl.Utf8, n: pl.Int64 };
    const keys = Array.from({ length: 2000 }, (_, i) => (i % 50 === 0 ? `{fasttag}:${i}` : `fast:${i}`));
    await redis.conn.batch(keys.map((key, i) => ["HSET", key, "name", `name ${i}`, "n", String(i)] as const));
    const migration = await migrateSlots(redis.cluster, {
      slots: keySlot("{fasttag}"),
      leaveMigrating: true,
      keysToMove: 20,
    });
    try {
      const batchOnly: RedisConnection = {
        kind: "cluster",
        call: redis.conn.call.bind(redis.conn),
        callBuffer: redis.conn.callBuffer.bind(redis.conn),
        batch: redis.conn.batch.bind(redis.conn),
        scanKeys: redis.conn.scanKeys.bind(redis.conn),
        duplicate: redis.conn.duplicate.bind(redis.conn),
        close: async () => undefined,
      };
      const opened: number[] = [];
      const counting: RedisConnection = Object.assign(Object.create(redis.conn) as ClusterConnection, {
        openRawChannel: () => {
          opened.push(1);
          return redis.conn.openRawChannel();
        },
      });
      for (const options of [{ pattern: "*" }, { keys }]) {
        const [fast, slow] = await Promise.all([
          readHashes(counting, { ...options, schema }),
          readHashes(batchOnly, { ...options, schema }),
        ]);
        expect(fast.height).toBe(2000);
        expect(fast.sort("_key").toRecords()).toEqual(slow.sort("_key").toRecords());
      }
      expect(opened.length).toBe(2);
    } finally {
      await migration.finish();
    }
  });

  it("re-sends a multi-key read answered TRYAGAIN in mid-migration until the slot has moved", async () => {
    const keys = Array.from({ length: 4 }, (_, i) => `{rawtry}:${i}`);
    await redis.conn.batch(keys.map((key) => ["SET", key, key] as const));
    const migration = await migrateSlots(redis.cluster, {
      slots: keySlot("{rawtry}"),
      leaveMigrating: true,
      keysToMove: 2,
    });
    const channel = await redis.conn.openRawChannel();
    try {
      const before = redis.conn.stats().tryagain;
      const text = new Promise<string>((resolve, reject) => {
        let received = "";
        channel.onClose((error) => reject(error ?? new Error("closed")));
        channel.onData((chunk) => {
          received += chunk.toString("latin1");
          if (keys.every((key) => received.includes(key))) resolve(received);
        });
      });
      // Half the keys live on each side: the target answers TRYAGAIN (after ASK) until the migration ends.
      channel.write(encode(["MGET", ...keys]));
      await waitFor(() => redis.conn.stats().tryagain > before, {
        timeoutMs: 20_000,
        description: "TRYAGAIN",
      });
      await migration.finish();
      const reply = await text;
      expect(reply.startsWith("*4\r\n")).toBe(true);
      for (const key of keys) expect(reply).toContain(`$${key.length}\r\n${key}\r\n`);
    } finally {
      channel.close();
      await migration.finish();
    }
  });

  it("gives up on a node that owes replies past the command timeout with a typed error", async () => {
    const impatient = await connectCluster(redis.cluster.seeds.slice(0, 1), {
      commandTimeoutMs: 1000,
      retryWindowMs: 1500,
    });
    const channel = await impatient.openRawChannel();
    const closed = new Promise<Error | undefined>((resolve) => channel.onClose(resolve));
    const victim = await redis.cluster.masterForKey("raw:2");
    const pause = await pauseClients(victim, { ms: 4000, mode: "ALL" });
    try {
      channel.write(encode(["GET", "raw:2"]));
      const error = await closed;
      expect(RedisConnectionError.isInstance(error)).toBe(true);
      expect(RedisTimeoutError.isInstance((error as Error).cause)).toBe(true);
    } finally {
      channel.close();
      await impatient.close();
      await pause.unpause();
    }
  });

  it("waits out CLUSTERDOWN (the cluster lost a master) and answers once the cluster is up again", async () => {
    const victim = await redis.cluster.masterForKey("raw:1");
    const other = redis.cluster.seeds.find((seed) => seed.port !== victim.port)!;
    const victimRanges = redis.conn.masters().find((master) => master.port === victim.port)!.slotRanges;
    const onVictim = (slot: number) => victimRanges.some(([start, end]) => slot >= start && slot <= end);
    // A key the first test stored (raw:i = v<i>) on another master: only CLUSTERDOWN stands in its way.
    const index = Array.from({ length: 3000 }, (_, i) => i).find((i) => !onVictim(keySlot(`raw:${i}`)))!;
    const value = `v${index}`;
    const channel = await redis.conn.openRawChannel();
    const before = redis.conn.stats().clusterdown;
    await victim.kill();
    try {
      // Once the others mark it failed, every node answers CLUSTERDOWN (full coverage is required).
      await waitFor(
        async () =>
          /cluster_state:fail/.test(
            String(await withAdminConnection(other, (redis) => redis.call("CLUSTER", "INFO"))),
          ),
        { timeoutMs: 30_000, description: "the cluster to be down" },
      );
      const reply = new Promise<string>((resolve, reject) => {
        let text = "";
        channel.onClose((error) => reject(error ?? new Error("closed")));
        channel.onData((chunk) => {
          text += chunk.toString("latin1");
          if (text.endsWith(`${value}\r\n`)) resolve(text);
        });
      });
      channel.write(encode(["GET", `raw:${index}`]));
      await waitFor(() => redis.conn.stats().clusterdown > before, {
        timeoutMs: 20_000,
        description: "CLUSTERDOWN",
      });
      await victim.restart();
      expect(await reply).toBe(`$${value.length}\r\n${value}\r\n`);
    } finally {
      channel.close();
      if (!victim.isRunning()) await victim.restart();
      await redis.cluster.waitForHealthy();
    }
  });

  it("ends with a RedisConnectionError when a master without replicas dies under it, once the retry window is spent", async () => {
    // No replica can take over here: the channel waits out the retry window (as for a failover), then fails.
    const impatient = await connectCluster(redis.cluster.seeds.slice(0, 1), { retryWindowMs: 1000 });
    const channel = await impatient.openRawChannel();
    const closed = new Promise<Error | undefined>((resolve) => channel.onClose(resolve));
    const victim = await redis.cluster.masterForKey("raw:1");
    await victim.kill();
    try {
      channel.write(encode(["GET", "raw:1"]));
      const error = await closed;
      expect(RedisConnectionError.isInstance(error)).toBe(true);
      expect((error as Error).message).toContain(String(victim.port));
    } finally {
      channel.close();
      await victim.restart();
      await redis.cluster.waitForHealthy();
    }
    // Opening one while a master is down fails once the retry window is spent, naming it.
    await victim.kill();
    try {
      const failure = await impatient.openRawChannel().catch((e: unknown) => e);
      expect(RedisConnectionError.isInstance(failure)).toBe(true);
      expect((failure as Error).message).toContain(String(victim.port));
    } finally {
      await impatient.close();
      await victim.restart();
      await redis.cluster.waitForHealthy();
    }
  });
});
