import {
  type Command,
  type JsonScanOptions,
  RedisCommandError,
  readJson,
  readTimeseries,
} from "@polars-redis/core";
import { errorReply, keySlot, RecordingConnection } from "@polars-redis/testkit";
import { Redis } from "ioredis";
import pl from "nodejs-polars";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useSeededCluster } from "./fixtures/clusters.js";

// No RedisJSON / RedisTimeSeries server exists here. What the cluster connection owes those readers is routing:
// each JSON.* / TS.* command must reach the master of its key's slot (multi-key ones split per slot). The
// commands the core readers really send are captured, then sent to a real cluster, whose nodes answer "unknown
// command" -- and count, per node, how many they received (INFO errorstats).

const redis = useSeededCluster(0);

beforeAll(async () => {
  // Open every connection now (DBSIZE reaches every master), so their own start-up errors are counted before
  // any measurement.
  await redis.conn.call("DBSIZE");
  await errorRepliesPerMaster();
  await errorRepliesPerMaster();
});
afterAll(async () => {
  for (const redis of admins.values()) redis.disconnect();
});

/** Records what a reader sends (as a cluster would be asked), answering every command with an error. */
const commandRecorder = () =>
  new RecordingConnection({ kind: "cluster", respond: ([name]) => errorReply(name ?? "?", "ERR recorded") });

/** Error replies each master has sent so far. One long-lived admin connection per master: opening a new one
 * costs error replies of its own (ioredis's CLIENT SETINFO, unknown to Redis 7.0). */
const admins = new Map<number, Redis>();
async function errorRepliesPerMaster(): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  for (const master of redis.conn.masters()) {
    let redis = admins.get(master.port);
    if (redis === undefined) {
      redis = new Redis({ host: master.host, port: master.port, protocol: 2 });
      admins.set(master.port, redis);
    }
    const info = String(await redis.info("stats"));
    counts.set(master.port, Number(/total_error_replies:(\d+)/.exec(info)?.[1] ?? 0));
  }
  return counts;
}

function ownerPort(slot: number): number {
  const owner = redis.conn
    .masters()
    .find((master) => master.slotRanges.some(([a, b]) => slot >= a && slot <= b));
  if (owner === undefined) throw new Error(`no master for slot ${slot}`);
  return owner.port;
}

/** Sends the commands through the cluster connection and checks which master received each one. */
async function expectRoutedBySlot(commands: readonly Command[], slotsOf: (command: Command) => number[]) {
  const expected = new Map<number, number>();
  for (const command of commands) {
    for (const port of new Set(slotsOf(command).map(ownerPort)))
      expected.set(port, (expected.get(port) ?? 0) + 1);
  }
  const before = await errorRepliesPerMaster();
  const replies = await redis.conn.batch(commands);
  const after = await errorRepliesPerMaster();
  for (const reply of replies) {
    expect(RedisCommandError.isInstance(reply)).toBe(true);
    expect((reply as RedisCommandError).message).toMatch(/unknown command/i);
  }
  for (const [port, count] of after)
    expect(count - before.get(port)!, `master :${port}`).toBe(expected.get(port) ?? 0);
  expect(redis.conn.stats().moved).toBe(0);
}

const keys = Array.from({ length: 120 }, (_, i) => `doc:${i}`);

describe("RedisJSON and RedisTimeSeries commands on a cluster", () => {
  it("JSON.GET from readJson (whole documents and projected paths) goes to each key's master", async () => {
    const variants: JsonScanOptions[] = [
      { schema: { name: pl.Utf8, age: pl.Int64 } },
      { schema: { name: pl.Utf8, city: pl.Utf8 }, paths: { city: "$.address.city" }, columns: ["city"] },
    ];
    for (const options of variants) {
      const recorder = commandRecorder();
      await readJson(recorder, { keys, ...options }).catch(() => undefined);
      const sent = recorder.sent.filter(([name]) => name.toUpperCase() === "JSON.GET");
      expect(sent.map((command) => command[1])).toEqual(keys);
      await expectRoutedBySlot(sent, (command) => [keySlot(String(command[1]))]);
    }
  });

  it("TS.RANGE / TS.INFO from readTimeseries go to each key's master", async () => {
    for (const options of [{}, { aggregation: "avg" as const, bucketMs: 60_000 }, { labels: ["site"] }]) {
      const recorder = commandRecorder();
      await readTimeseries(recorder, { keys, ...options }).catch(() => undefined);
      const sent = recorder.sent.filter(([name]) => /^TS\./i.test(name));
      expect(sent.length).toBeGreaterThanOrEqual(keys.length);
      await expectRoutedBySlot(sent, (command) => [keySlot(String(command[1]))]);
    }
  });

  it("splits JSON.MGET, JSON.MSET and TS.MADD per slot; sends TS.MRANGE / TS.QUERYINDEX to every master", async () => {
    const spread = keys.slice(0, 30);
    const mget: Command = ["JSON.MGET", ...spread, "$"];
    const mset: Command = ["JSON.MSET", ...spread.flatMap((key) => [key, "$", "{}"])];
    const madd: Command = ["TS.MADD", ...spread.flatMap((key, i) => [key, 1000 + i, i])];
    const slotsOf = (command: Command) => {
      const step = command[0] === "JSON.MGET" ? 1 : 3;
      const end = command[0] === "JSON.MGET" ? command.length - 1 : command.length;
      const slots: number[] = [];
      for (let i = 1; i < end; i += step) slots.push(keySlot(String(command[i])));
      return [...new Set(slots)];
    };
    // One part per slot: each master counts as many errors as the slots of these keys it owns.
    const expected = new Map<number, number>();
    for (const command of [mget, mset, madd]) {
      for (const slot of slotsOf(command))
        expected.set(ownerPort(slot), (expected.get(ownerPort(slot)) ?? 0) + 1);
    }
    const before = await errorRepliesPerMaster();
    const replies = await redis.conn.batch([mget, mset, madd]);
    const after = await errorRepliesPerMaster();
    for (const reply of replies) expect((reply as Error).message).toMatch(/unknown command/i);
    for (const [port, count] of after) expect(count - before.get(port)!).toBe(expected.get(port) ?? 0);

    const fanoutBefore = await errorRepliesPerMaster();
    await redis.conn.batch([
      ["TS.MRANGE", "-", "+", "FILTER", "site=a"],
      ["TS.QUERYINDEX", "site=a"],
    ]);
    const fanoutAfter = await errorRepliesPerMaster();
    for (const [port, count] of fanoutAfter) expect(count - fanoutBefore.get(port)!).toBe(2);
  });
});
