// `pnpm --filter @polars-redis/soak run scale-out [--events 60000] [--routers 1,2,4]`: events/s of 1, 2 and 4
// router processes in one group over a source sharded into six streams on a 3-master cluster, three routes.
// Each case starts from a fresh pipeline with the events already in the source and times until every one is
// acknowledged.
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { Pipeline } from "./pipeline.js";

const { values } = parseArgs({
  options: { events: { type: "string", default: "60000" }, routers: { type: "string", default: "1,2,4" } },
});
const events = Number(values.events);
const rows: string[] = [];
for (const count of values.routers.split(",").map(Number)) {
  // No router dies here: the default claim time (30 s), so a router busy with a large frame is not robbed.
  const pipeline = await Pipeline.start({ shards: 6, claimIdleMs: 30_000 });
  try {
    const sent = await pipeline.produce(events);
    const started = performance.now();
    for (let i = 0; i < count; i++) await pipeline.spawnRouter();
    await pipeline.waitDrained(600_000);
    const seconds = (performance.now() - started) / 1000;
    const accounting = await pipeline.account(sent);
    const lost = accounting.lostKeys.size + accounting.unaccounted;
    const duplicated = Object.values(accounting.routes).reduce((sum, route) => sum + route.duplicated, 0);
    const row = `| ${count} | ${events} | ${seconds.toFixed(1)} s | ${Math.round(events / seconds)} | ${lost} | ${duplicated} | ${loadavg()[0]!.toFixed(2)} |`;
    rows.push(row);
    console.log(row);
  } finally {
    await pipeline.stop();
  }
}
console.log(
  `\n| routers | events | time (incl. process start) | events/s | lost | duplicated writes | load avg (1 min) |\n| --- | --- | --- | --- | --- | --- | --- |\n${rows.join("\n")}`,
);
