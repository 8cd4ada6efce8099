// A router process of a soak or scale-out run: `node router-process.js '<json config>'`. It prints one JSON
// line per second with its stats, stops on SIGTERM (gracefully) and dies on SIGKILL (the point of some runs).
import { connectCluster } from "@polars-redis/cluster";
import { connect, type RedisConnection } from "@polars-redis/core";
import { createRouter } from "@polars-redis/streams";
import { countingSink } from "./counting-sink.js";
import { ROUTES, SOURCE_SCHEMA } from "./rules.js";

export interface RouterProcessConfig {
  /** A node of the source cluster, or a standalone source. */
  sourceUrl: string;
  cluster: boolean;
  streams: string[];
  group: string;
  consumer: string;
  /** Route name → destination URL. */
  destinations: Record<string, string>;
  batchSize: number;
  claimIdleMs: number;
}

const config = JSON.parse(process.argv[2]!) as RouterProcessConfig;
const source: RedisConnection = config.cluster
  ? await connectCluster(config.sourceUrl, { commandTimeoutMs: 3000 })
  : await connect(config.sourceUrl, { commandTimeoutMs: 3000 });
const destinations = new Map<string, RedisConnection>();
for (const [name, url] of Object.entries(config.destinations)) {
  destinations.set(name, await connect(url, { commandTimeoutMs: 1000 }));
}
const router = createRouter({
  source: {
    connection: source,
    streams: config.streams,
    group: config.group,
    consumer: config.consumer,
    batchSize: config.batchSize,
    blockMs: 200,
    claimIdleMs: config.claimIdleMs,
    claimIntervalMs: Math.max(100, config.claimIdleMs / 4),
    retryBackoff: { initialMs: 50, maxMs: 1000 },
    schema: SOURCE_SCHEMA,
    stopTimeoutMs: 5000,
  },
  routes: ROUTES.map((route) => ({
    name: route.name,
    filter: route.filter,
    keepMetadata: true,
    sink: countingSink(route.name, destinations.get(route.name)!),
  })),
  retry: { initialMs: 50, maxMs: 1000 },
  stopSignals: ["SIGTERM"],
});
const report = (type: string): void => {
  const { source: s, routes, unacked, unmatched } = router.stats;
  process.stdout.write(
    `${JSON.stringify({ type, consumer: config.consumer, acked: s.acked, delivered: s.delivered, claimed: s.claimed, retries: s.retries, deadLettered: s.deadLettered, lost: s.lost, unacked, unmatched, routes: Object.fromEntries(Object.entries(routes).map(([name, r]) => [name, { written: r.written, failedAttempts: r.failedAttempts, state: r.state }])) })}\n`,
  );
};
report("ready");
const timer = setInterval(() => report("stats"), 1000);
let code = 0;
try {
  await router.run();
  report("stopped");
} catch (error) {
  process.stdout.write(
    `${JSON.stringify({ type: "error", consumer: config.consumer, error: String(error) })}\n`,
  );
  code = 1;
} finally {
  clearInterval(timer);
  await Promise.all([source, ...destinations.values()].map((conn) => conn.close().catch(() => {})));
}
process.exit(code);
