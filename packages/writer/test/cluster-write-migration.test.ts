import { connectCluster } from "@polars-redis/cluster";
import { type Command, type KeyError, RedisCommandError, type WriteResult } from "@polars-redis/core";
import { keySlot, migrateSlots } from "@polars-redis/testkit";
import { useClusterConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { describe, expect, it } from "vitest";
import { writeHashes, writeSets } from "../src/index.js";

// writeHashes "replace" to a cluster while slots migrate (issue 11, defect 3): before, the per-call script
// deleted every key of the call first, then a per-key HSET was refused ("Script attempted to access a non local
// key"), and keys that held the previous version were absent afterwards. Now every key holds its old or its
// new value, whatever the migration does; keys that could not be replaced in one step are reported (retryable).

const KEYS_PER_TAG = 40;

const redis = useClusterConnection({
  connect: (cluster) => connectCluster(cluster.seeds),
  masters: 3,
  replicasPerMaster: 0,
});

/**
 * Keys spread over every slot of `slots` (one hash tag per slot). Each test migrates its own range one way,
 * so no test waits for a migration back.
 */
function keysIn(slots: readonly [number, number], prefix: string): string[] {
  const tags = new Map<number, string>();
  for (let n = 0; tags.size < slots[1] - slots[0] + 1; n++) {
    const slot = keySlot(`t${n}`);
    if (slot >= slots[0] && slot <= slots[1] && !tags.has(slot)) tags.set(slot, `t${n}`);
  }
  return [...tags.values()].flatMap((tag) =>
    Array.from({ length: KEYS_PER_TAG }, (_, i) => `${prefix}{${tag}}:${i}`),
  );
}

function version(keys: readonly string[], name: string): pl.DataFrame {
  return pl.DataFrame({ _key: keys, v: keys.map(() => name), i: keys.map((_, i) => i) });
}

/** Each key's `v` field (null when the key is absent), read through the cluster connection. */
async function versions(keys: readonly string[]): Promise<Map<string, string | null>> {
  const replies = await redis.conn.batch(keys.map((key): Command => ["HGET", key, "v"]));
  return new Map(
    keys.map((key, i) => [key, replies[i] instanceof Error ? "error" : (replies[i] as string | null)]),
  );
}

/** Every key holds "old" or "new"; keys reported written hold "new"; failed keys hold "old" with a retryable error. */
async function expectOldOrNew(keys: readonly string[], result: WriteResult): Promise<void> {
  const seen = await versions(keys);
  const absent = keys.filter((key) => seen.get(key) === null);
  expect(absent, "keys absent after the write").toEqual([]);
  const failed = new Set(result.failedKeys());
  expect(result.written + failed.size).toBe(keys.length);
  for (const key of keys) {
    const value = seen.get(key);
    if (failed.has(key)) {
      expect(value, `${key} failed, so it keeps its old value`).toBe("old");
      const error = result.errors.get(key) as KeyError;
      expect(error.retryable, `${key}: ${error.message}`).toBe(true);
    } else {
      expect(value, `${key} was reported written`).toBe("new");
    }
  }
}

describe("writeHashes (replace) while slots migrate", () => {
  it("leaves every key with its old or new value in a half-migrated slot range, then completes", async () => {
    const slots: [number, number] = [0, 63];
    const keys = keysIn(slots, "a");
    expect((await writeHashes(redis.conn, version(keys, "old"))).isCompleteSuccess()).toBe(true);
    const migration = await migrateSlots(redis.cluster, { slots, leaveMigrating: true, keysToMove: 15 });
    try {
      const before = redis.conn.stats().ask;
      const result = await writeHashes(redis.conn, version(keys, "new"), {
        retry: { attempts: 2, initialDelayMs: 10 },
      });
      await expectOldOrNew(keys, result);
      // The keys already moved were written on the importing node (ASK, with ASKING, as a unit).
      expect(redis.conn.stats().ask).toBeGreaterThan(before);
      expect(result.written).toBeGreaterThanOrEqual(15 * (slots[1] - slots[0] + 1));
      for (const error of result.errors.values()) {
        expect(RedisCommandError.isInstance(error) && error.redisCode).toBe("TRYAGAIN");
      }
    } finally {
      await migration.finish();
    }
    // Once the slots have moved, every key is replaced.
    const again = await writeHashes(redis.conn, version(keys, "new"));
    expect(again.isCompleteSuccess()).toBe(true);
    expect([...(await versions(keys)).values()].every((value) => value === "new")).toBe(true);
  });

  it("leaves every key with its old or new value when the migration completes during the write", async () => {
    const slots: [number, number] = [64, 127];
    const keys = keysIn(slots, "b");
    expect((await writeHashes(redis.conn, version(keys, "old"))).isCompleteSuccess()).toBe(true);
    const migration = await migrateSlots(redis.cluster, { slots, leaveMigrating: true, keysToMove: 5 });
    try {
      const finishing = migration.finish();
      const result = await writeHashes(redis.conn, version(keys, "new"), { batchSize: 100, parallel: 2 });
      await finishing;
      await expectOldOrNew(keys, result);
    } finally {
      await migration.finish();
    }
    const again = await writeHashes(redis.conn, version(keys, "new"));
    expect(again.isCompleteSuccess()).toBe(true);
  });

  it("replaces sets the same way (the shared per-key script): no key absent, old members gone where written", async () => {
    const slots: [number, number] = [128, 191];
    const keys = keysIn(slots, "c");
    const sets = (member: string) => pl.DataFrame({ _key: keys, member: keys.map(() => member) });
    expect((await writeSets(redis.conn, sets("old"))).isCompleteSuccess()).toBe(true);
    const migration = await migrateSlots(redis.cluster, { slots, leaveMigrating: true, keysToMove: 15 });
    let result: WriteResult;
    try {
      result = await writeSets(redis.conn, sets("new"), { retry: { attempts: 1 } });
    } finally {
      await migration.finish();
    }
    const members = await redis.conn.batch(keys.map((key): Command => ["SMEMBERS", key]));
    const failed = new Set(result.failedKeys());
    expect(failed.size).toBeLessThan(keys.length);
    keys.forEach((key, i) => {
      expect(members[i], key).toEqual(failed.has(key) ? ["old"] : ["new"]);
    });
  });
});
