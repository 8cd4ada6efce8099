import type { Command } from "@polars-redis/core";
import { killMaster, type MasterKill } from "@polars-redis/testkit";
import { beforeAll, describe, expect, it } from "vitest";
import { type ClusterEvent, connectCluster } from "../src/index.js";
import { useSeededCluster } from "./fixtures/clusters.js";

const KEY_COUNT = 200_000;
const LOAD_CHUNK = 25_000;

const redis = useSeededCluster(1);

beforeAll(async () => {
  for (let start = 0; start < KEY_COUNT; start += LOAD_CHUNK) {
    const commands: Command[] = [];
    for (let i = start; i < Math.min(start + LOAD_CHUNK, KEY_COUNT); i++)
      commands.push(["SET", `k:${i}`, "1"]);
    const replies = await redis.conn.batch(commands);
    expect(replies.filter((reply) => reply !== "OK")).toEqual([]);
  }
  // Every replica has caught up, so a promoted replica holds every key.
  await redis.cluster.waitForHealthy();
}, 180_000);

describe("cluster scanKeys through a master's death", () => {
  it("reads every one of 200k keys exactly once when a master is killed mid-scan", async () => {
    const events: ClusterEvent[] = [];
    const scanner = await connectCluster(redis.cluster.seeds, {
      retryWindowMs: 30_000,
      onEvent: (event) => events.push(event),
    });
    let kill: Promise<MasterKill> | undefined;
    try {
      const keys: string[] = [];
      for await (const page of scanner.scanKeys({ pattern: "k:*", count: 1000 })) {
        keys.push(...page);
        // A fifth of the way through, every master is mid-scan (three run in parallel): kill one.
        if (kill === undefined && keys.length >= KEY_COUNT / 5)
          kill = killMaster(redis.cluster, { slot: 8000 });
      }
      expect(kill).toBeDefined();
      const unique = new Set(keys);
      expect(keys.length - unique.size, "keys yielded twice").toBe(0);
      expect(unique.size).toBe(KEY_COUNT);
      for (let i = 0; i < KEY_COUNT; i++) if (!unique.has(`k:${i}`)) expect.fail(`k:${i} is missing`);
      // The lost master's slots really were read again on the promoted replica.
      const lost = events.filter((event) => event.type === "scan-node-lost");
      expect(lost).toHaveLength(1);
      const { killed, promoted } = await kill!;
      expect(lost[0]).toMatchObject({ node: `${killed.host}:${killed.port}` });
      expect(
        events.some(
          (event) =>
            event.type === "scan-slots-rescanned" && event.node === `${promoted.host}:${promoted.port}`,
        ),
      ).toBe(true);
    } finally {
      await scanner.close();
      await (await kill)?.rejoin();
    }
  });
});
