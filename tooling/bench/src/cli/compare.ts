/**
 * `pnpm --filter @polars-redis/bench run compare <reference.json> <candidate.json> [--threshold 0.1]`
 * Exits 1 when a case got more than 10% slower (rows/s), used more than 10% more peak RSS, or newly failed.
 */

import { readResults } from "../report/bench-results.js";
import { compareResults } from "../report/compare-results.js";

const args = process.argv.slice(2);
const thresholdAt = args.indexOf("--threshold");
const threshold = thresholdAt >= 0 ? Number(args.splice(thresholdAt, 2)[1]) : 0.1;
if (args.length !== 2 || !Number.isFinite(threshold) || threshold <= 0) {
  console.error("usage: compare <reference.json> <candidate.json> [--threshold 0.1]");
  process.exit(2);
}
const comparison = compareResults(readResults(args[0]!), readResults(args[1]!), threshold);
console.log(comparison.table);
if (comparison.regressions.length > 0) {
  console.log(`\n${comparison.regressions.length} regression(s) beyond ${Math.round(threshold * 100)}%:`);
  for (const line of comparison.regressions) console.log(`- ${line}`);
  process.exitCode = 1;
} else {
  console.log(`\nno regression beyond ${Math.round(threshold * 100)}%`);
}
