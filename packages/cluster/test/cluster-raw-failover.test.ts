import {
  type Command,
  type RedisConnection,
  RedisConnectionError,
  readHashes,
  scanHashes,
} from "@polars-redis/core";
import type { RawChannel } from "@polars-redis/core/internal";
import {
  type ClusterNode,
  keySlot,
  killMaster,
  type MasterKill,
  pauseClients,
  replicasOf,
  waitFor,
} from "@polars-redis/testkit";
import pl from "nodejs-polars";
import { beforeAll, describe, expect, it } from "vitest";
import { type ClusterConnection, type ClusterEvent, connectCluster } from "../src/index.js";
import { useSeededCluster } from "./fixtures/clusters.js";

// The raw channel behind readHashes on a cluster, through a master's death (issue 11, defect 2): the read
// commands the dead master owed are sent again once its replica has taken over, and every key comes back
// exactly once. Before, the read threw "the raw channel to Redis closed during the read" within a second.

const KEY_COUNT = 40_000;
const schema = { n: pl.Int64, name: pl.Utf8 };

const redis = useSeededCluster(1);

beforeAll(async () => {
  const commands: Command[] = [];
  for (let i = 0; i < KEY_COUNT; i++) commands.push(["HSET", `h:${i}`, "n", String(i), "name", `name ${i}`]);
  const replies = await redis.conn.batch(commands);
  expect(replies.filter((reply) => reply !== 2)).toEqual([]);
  // Every replica has caught up, so a promoted replica holds every key.
  await redis.cluster.waitForHealthy();
}, 180_000);

function encode(commands: readonly string[][]): Buffer {
  return Buffer.from(
    commands
      .map(
        (args) =>
          `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join("")}`,
      )
      .join(""),
  );
}

/** Expects every key 0..KEY_COUNT-1 exactly once in the frame's `_key` and `n` columns. */
function expectEveryKeyOnce(keys: readonly string[], ns: readonly (number | bigint)[]): void {
  const unique = new Set(keys);
  expect(keys.length - unique.size, "keys read twice").toBe(0);
  expect(unique.size).toBe(KEY_COUNT);
  for (let i = 0; i < keys.length; i++) {
    if (keys[i] !== `h:${ns[i]}`) expect.fail(`row ${i}: key ${keys[i]} carries n = ${ns[i]}`);
  }
}

/** Brings a master killed by hand back as a replica, and waits for a healthy cluster. */
async function rejoin(node: ClusterNode): Promise<void> {
  if (!node.isRunning()) await node.restart();
  await redis.cluster.waitForHealthy(60_000);
}

/** Whether `node` serves `key`'s slot, as the connection's slot map says. */
function servedBy(conn: ClusterConnection, node: ClusterNode): (key: string) => boolean {
  const ranges = conn.masters().find((master) => master.port === node.port)?.slotRanges ?? [];
  return (key) => {
    const slot = keySlot(key);
    return ranges.some(([start, end]) => slot >= start && slot <= end);
  };
}

/** The connection, with a count of the writes to the raw channels it opens. */
function countingWrites(conn: ClusterConnection): { conn: RedisConnection; writes: () => number } {
  let writes = 0;
  const counting = Object.assign(Object.create(conn) as ClusterConnection, {
    openRawChannel: async (): Promise<RawChannel> => {
      const channel = await conn.openRawChannel();
      const write = channel.write.bind(channel);
      channel.write = (bytes: Uint8Array) => {
        writes++;
        write(bytes);
      };
      return channel;
    },
  });
  return { conn: counting, writes: () => writes };
}

describe("cluster raw channel through a master's death", () => {
  it("re-sends the replies a killed master owed to its promoted replica, in the written order", async () => {
    const events: ClusterEvent[] = [];
    const conn = await connectCluster(redis.cluster.seeds, {
      retryWindowMs: 30_000,
      onEvent: (event) => events.push(event),
    });
    const victim = await redis.cluster.masterForSlot(keySlot("h:0"));
    const keys = Array.from({ length: 6000 }, (_, i) => `h:${i}`);
    const firstOwed = keys.findIndex(servedBy(conn, victim));
    expect(firstOwed).toBeGreaterThanOrEqual(0);
    const channel = await conn.openRawChannel();
    try {
      // The victim holds its clients' commands: the HGETs it is sent stay unanswered until it dies.
      await pauseClients(victim, { ms: 20_000, mode: "ALL" });
      let received = "";
      let failure: Error | undefined;
      channel.onData((chunk) => {
        received += chunk.toString("latin1");
      });
      channel.onClose((error) => {
        failure = error;
      });
      channel.write(encode(keys.map((key) => ["HGET", key, "n"])));
      // Replies stop at the first key the victim owes: the channel passes them on in the written order.
      await waitFor(() => countReplies(received) === firstOwed, {
        timeoutMs: 20_000,
        description: `the ${firstOwed} replies before the victim's first key`,
      });
      await victim.kill();
      await waitFor(() => failure !== undefined || countReplies(received) === keys.length, {
        timeoutMs: 60_000,
        intervalMs: 50,
        description: "every reply after the failover",
      });
      expect(failure).toBeUndefined();
      expect(parseBulkStrings(received)).toEqual(keys.map((_, i) => String(i)));
      const lost = events.filter((event) => event.type === "raw-node-lost");
      expect(lost.length).toBeGreaterThanOrEqual(1);
      expect(lost[0]).toMatchObject({ node: `${victim.host}:${victim.port}` });
      expect((lost[0] as { commands: number }).commands).toBeGreaterThan(0);
    } finally {
      channel.close();
      await conn.close();
      await rejoin(victim);
    }
  });

  it("reads every hash exactly once by pattern when a master is killed mid-read (scanHashes)", async () => {
    const conn = await connectCluster(redis.cluster.seeds, { retryWindowMs: 30_000 });
    const victim = await redis.cluster.masterForSlot(8000);
    let kill: Promise<MasterKill> | undefined;
    const keys: string[] = [];
    const ns: number[] = [];
    try {
      for await (const frame of scanHashes(conn, { pattern: "h:*", schema, batchSize: 500 })) {
        keys.push(...(frame.getColumn("_key").toArray() as string[]));
        ns.push(...(frame.getColumn("n").toArray() as Array<number | bigint>).map(Number));
        if (kill === undefined) {
          // Mid-read: frames of every master are still to come; the next pages meet the dead master.
          kill = killMaster(redis.cluster, { node: victim });
          kill.catch(() => undefined);
          await waitFor(() => !victim.isRunning(), { timeoutMs: 30_000, description: "the kill" });
        }
      }
      expect(kill).toBeDefined();
      expectEveryKeyOnce(keys, ns);
    } finally {
      await conn.close();
      const done = await kill?.catch(() => undefined);
      if (done !== undefined) await done.rejoin();
      else await rejoin(victim);
    }
  });

  it("reads every hash of a key list exactly once when the master owing replies is killed (readHashes)", async () => {
    const events: ClusterEvent[] = [];
    const conn = await connectCluster(redis.cluster.seeds, {
      retryWindowMs: 30_000,
      onEvent: (event) => events.push(event),
    });
    const counting = countingWrites(conn);
    const victim = await redis.cluster.masterForSlot(keySlot("h:1"));
    const keys = Array.from({ length: KEY_COUNT }, (_, i) => `h:${i}`);
    try {
      await pauseClients(victim, { ms: 20_000, mode: "ALL" });
      const reading = readHashes(counting.conn, { keys, schema });
      reading.catch(() => undefined);
      // Once a page is written, the paused victim owes replies for its share of it; then it dies.
      await waitFor(() => counting.writes() > 0, { timeoutMs: 20_000, description: "the first page" });
      await victim.kill();
      const frame = await reading;
      expectEveryKeyOnce(
        frame.getColumn("_key").toArray() as string[],
        (frame.getColumn("n").toArray() as Array<number | bigint>).map(Number),
      );
      const lost = events.filter((event) => event.type === "raw-node-lost");
      expect(lost.length).toBeGreaterThanOrEqual(1);
      expect((lost[0] as { commands: number }).commands).toBeGreaterThan(0);
    } finally {
      await conn.close();
      await rejoin(victim);
    }
  });

  it("ends with a typed error once the retry window is spent when no master takes over a dead master's slots", async () => {
    const conn = await connectCluster(redis.cluster.seeds, { retryWindowMs: 2000 });
    const victim = await redis.cluster.masterForSlot(keySlot("h:2"));
    const replicas = await replicasOf(redis.cluster, victim);
    const channel = await conn.openRawChannel();
    const closed = new Promise<Error | undefined>((resolve) => channel.onClose(resolve));
    // The master and its replicas die: nobody can take over its slots.
    for (const replica of replicas) await replica.kill();
    await victim.kill();
    try {
      channel.write(encode([["HGET", "h:2", "n"]]));
      const error = await closed;
      expect(RedisConnectionError.isInstance(error)).toBe(true);
    } finally {
      channel.close();
      await conn.close();
      for (const node of [victim, ...replicas]) if (!node.isRunning()) await node.restart();
      await redis.cluster.waitForHealthy(60_000);
    }
  });
});

function countReplies(text: string): number {
  return parseBulkStrings(text).length;
}

/** Splits a stream of bulk-string replies ($n\r\n...\r\n) into their values (nil as ""). */
function parseBulkStrings(text: string): string[] {
  const values: string[] = [];
  let at = 0;
  while (at < text.length) {
    const lineEnd = text.indexOf("\r\n", at);
    if (lineEnd < 0) break;
    const length = Number(text.slice(at + 1, lineEnd));
    if (length < 0) {
      values.push("");
      at = lineEnd + 2;
      continue;
    }
    if (text.length < lineEnd + 2 + length + 2) break;
    values.push(text.slice(lineEnd + 2, lineEnd + 2 + length));
    at = lineEnd + 2 + length + 2;
  }
  return values;
}
