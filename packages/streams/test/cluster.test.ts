import { connectCluster } from "@polars-redis/cluster";
import type { Command, Sink } from "@polars-redis/core";
import { generateChangeEvents, MockSink, waitFor } from "@polars-redis/testkit";
import { useClusterConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { describe, expect, it } from "vitest";
import { createConsumer, createRouter, readStreamRange } from "../src/index.js";

const redis = useClusterConnection({
  connect: (cluster) => connectCluster(cluster.urls[0]!),
  masters: 3,
  replicasPerMaster: 0,
});

/** Shards whose hash tags put them in slots 15495, 3300 and 7365: one on each of the three masters. */
const SHARDS = ["{a}:changes", "{b}:changes", "{c}:changes"];

async function loadShards(perShard: number): Promise<number> {
  for (const [index, shard] of SHARDS.entries()) {
    const events = generateChangeEvents({ count: perShard, seed: 50 + index });
    const commands: Command[] = events.entryIds.map((id, i) => ["XADD", shard, id, ...events.fieldsOf(i)]);
    const replies = await redis.conn.batch(commands);
    expect(replies.find((reply) => reply instanceof Error)).toBeUndefined();
  }
  return perShard * SHARDS.length;
}

describe("on a Redis Cluster", () => {
  it("two routers share one group over a source sharded across slots: every matching entry routed once", async () => {
    const masters = await Promise.all(SHARDS.map((shard) => redis.cluster.masterForKey(shard)));
    expect(new Set(masters.map((master) => master.port)).size).toBe(3);
    const total = await loadShards(3000);
    const sinks = [0, 1].map(() => new MockSink({ name: "big", keyColumn: "_key" }));
    const filter = pl.col("amount").cast(pl.Float64).gt(2500);
    const routers = sinks.map((sink, index) =>
      createRouter({
        source: {
          connection: redis.conn,
          streams: SHARDS,
          group: "pipeline",
          consumer: `router-${index}`,
          batchSize: 300,
          blockMs: 50,
        },
        routes: [
          {
            name: "big",
            filter,
            transform: (frame) =>
              frame.withColumns(pl.concatString([pl.col("_stream"), pl.col("_id")], "/").alias("_key")),
            sink: sink as unknown as Sink,
          },
        ],
        maxFrameEntries: 300,
      }),
    );
    const runs = routers.map((router) => router.run());
    await waitFor(() => routers.reduce((sum, router) => sum + router.stats.source.acked, 0) === total, {
      description: "every entry of every shard acknowledged",
      timeoutMs: 30_000,
    });
    for (const router of routers) router.stop();
    await Promise.all(runs);
    const expected = new Set<string>();
    for (const shard of SHARDS) {
      const frame = await readStreamRange(redis.conn, { stream: shard });
      for (const id of frame.filter(filter).getColumn("_id").toArray() as string[])
        expected.add(`${shard}/${id}`);
    }
    const written = sinks.flatMap((sink) => sink.rows().map((row) => String(row._key)));
    expect(written.length).toBe(expected.size); // none twice
    expect(new Set(written)).toEqual(expected);
    for (const shard of SHARDS) {
      expect(Number(((await redis.conn.call("XPENDING", shard, "pipeline")) as [number])[0])).toBe(0);
    }
  });

  it("a consumer over shards on several masters recovers a dead consumer's entries", async () => {
    const dead = createConsumer(redis.conn, {
      streams: SHARDS,
      group: "workers",
      consumer: "dead",
      batchSize: 100,
      blockMs: 20,
    });
    for await (const _batch of dead) break; // leaves its first batch pending forever
    const processed = new Set<string>();
    const alive = createConsumer(redis.conn, {
      streams: SHARDS,
      group: "workers",
      consumer: "alive",
      batchSize: 500,
      blockMs: 20,
      claimIdleMs: 300,
      claimIntervalMs: 100,
    });
    const run = alive.run((batch) => {
      batch.ids.forEach((id, row) => {
        processed.add(`${batch.streams[row]}/${id}`);
      });
    });
    await waitFor(() => processed.size === 9000, {
      description: "all 9000 entries processed",
      timeoutMs: 30_000,
    });
    alive.stop();
    const stats = await run;
    expect(stats.claimed).toBeGreaterThan(0);
    for (const shard of SHARDS) {
      expect(Number(((await redis.conn.call("XPENDING", shard, "workers")) as [number])[0])).toBe(0);
    }
  });
});
