// `pnpm soak [--duration-s 600] [--events N] [--rate 500] [--routers 3] [--fault-every-s 8] [--seed N]
//            [--report docs/soak-result.md]`
// Runs the routing pipeline under randomized faults, prints per fault sent / acked / dead-lettered / lost /
// duplicated / unaccounted, and exits 1 when anything was lost or unaccounted.
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { formatReport, runSoak } from "./soak.js";

const { values } = parseArgs({
  options: {
    "duration-s": { type: "string", default: "600" },
    events: { type: "string" },
    rate: { type: "string", default: "500" },
    routers: { type: "string", default: "3" },
    "fault-every-s": { type: "string", default: "8" },
    seed: { type: "string" },
    report: { type: "string" },
  },
});
const seed = values.seed === undefined ? Date.now() % 1_000_000 : Number(values.seed);
const options = {
  durationMs: Number(values["duration-s"]) * 1000,
  maxEvents: values.events === undefined ? Number.POSITIVE_INFINITY : Number(values.events),
  rate: Number(values.rate),
  routers: Number(values.routers),
  faultEveryMs: Number(values["fault-every-s"]) * 1000,
  seed,
  log: (line: string) => console.log(line),
};
console.log(`soak: seed ${seed}, ${JSON.stringify({ ...options, log: undefined })}`);
const report = await runSoak(options);
const load = loadavg()
  .map((n) => n.toFixed(2))
  .join(" ");
const text = `Soak run ${report.startedAt}: ${report.events} events, ${report.routers} routers, ${Math.round(report.durationMs / 1000)} s, seed ${seed}, load average after ${load}.\n\n${formatReport(report)}\n`;
console.log(text);
if (values.report !== undefined) writeFileSync(values.report, text);
process.exit(report.ok ? 0 : 1);
