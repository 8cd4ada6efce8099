import { connect, type RedisConnection, type Sink, WriteResult } from "@polars-redis/core";
import { createRouter } from "@polars-redis/streams";
import { redisHashSink } from "@polars-redis/writer";
import pl, { type DataFrame } from "nodejs-polars";
import type { BenchCase, BenchServer, CaseGroup } from "../../registry/bench-case.js";
import { CHANGE_EVENTS_DATASET, SOURCE_STREAM } from "./change-events-dataset.js";
import { routeByHand } from "./handwritten-loop.js";
import { BATCH_SIZE, BENCH_ROUTES, DESTINATION_DB } from "./routes.js";

const everyEntry = (size: number) => size;

const DISCARD_SINK: Sink = {
  name: "discard",
  write: async (frame) => new WriteResult({ written: frame.height }),
};

/** A fresh consumer group at the start of the stream and empty destinations, before the clock starts. */
async function prepare(server: BenchServer): Promise<string> {
  const group = `bench-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const source = await connect(server.url);
  const destination = await connect(server.url, { ioredis: { db: DESTINATION_DB } });
  try {
    await destination.call("FLUSHDB");
    await source.call("XGROUP", "CREATE", SOURCE_STREAM, group, "0");
  } finally {
    await Promise.all([source.close(), destination.close()]);
  }
  return group;
}

async function dropGroup(server: BenchServer, group: string): Promise<void> {
  const source = await connect(server.url);
  try {
    await source.call("XGROUP", "DESTROY", SOURCE_STREAM, group);
  } finally {
    await source.close();
  }
}

function routerCase(name: string, sinkOf: (destination: RedisConnection) => Sink): BenchCase {
  return {
    name,
    expectedRows: everyEntry,
    async run({ server, size }) {
      const group = await prepare(server);
      const source = await connect(server.url);
      const destination = await connect(server.url, { ioredis: { db: DESTINATION_DB } });
      try {
        const started = performance.now();
        const router = createRouter({
          source: {
            connection: source,
            stream: SOURCE_STREAM,
            group,
            consumer: "router",
            batchSize: BATCH_SIZE,
            blockMs: 50,
          },
          routes: BENCH_ROUTES.map((route) => {
            // Built once per route, as an application would: nodejs-polars takes ~0.05–0.7 ms per Expr.
            const key = pl.concatString([pl.lit(route.prefix), pl.col("_id")], "").alias("_key");
            return {
              name: route.name,
              filter: route.filter,
              transform: (frame: DataFrame) => frame.withColumns(key),
              sink: sinkOf(destination),
            };
          }),
        });
        const running = router.run();
        while (router.stats.source.acked < size) await new Promise((resolve) => setTimeout(resolve, 2));
        const elapsedMs = performance.now() - started;
        router.stop();
        const stats = await running;
        return { rows: stats.source.acked, elapsedMs };
      } finally {
        await Promise.all([source.close(), destination.close()]);
        await dropGroup(server, group);
      }
    },
  };
}

export const routerThroughputGroup: CaseGroup = {
  name: "router-throughput",
  description: "Route N change events by 3 Polars filters to hashes (batch 1000), until every entry is acked",
  dataset: CHANGE_EVENTS_DATASET,
  cases: [
    {
      name: "hand-written loop: XREADGROUP → readRecords → filter → pipelined HSET → XACK",
      role: "baseline",
      expectedRows: everyEntry,
      async run({ server }) {
        const group = await prepare(server);
        try {
          const started = performance.now();
          const rows = await routeByHand(server, group);
          return { rows, elapsedMs: performance.now() - started };
        } finally {
          await dropGroup(server, group);
        }
      },
    },
    routerCase("createRouter, 3 routes, redisHashSink append (HSET, like the loop)", (destination) =>
      redisHashSink(destination, { ifExists: "append" }),
    ),
    routerCase("createRouter, 3 routes, redisHashSink replace (atomic per key)", (destination) =>
      redisHashSink(destination),
    ),
    // What the router itself costs: read, frame, filter, track and acknowledge, with sinks that keep nothing.
    routerCase("createRouter, 3 routes, discarding sinks (routing + XACK only)", () => DISCARD_SINK),
  ],
};
