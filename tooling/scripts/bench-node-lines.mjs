// Runs `pnpm bench` on Node.js 20 and on Node.js 24 in one sitting, alternating (20, 24, 20, 24, ...) so both
// see the same machine, and prints one markdown table: each case's median time (samples of all rounds
// pooled) and rows/s per Node.js line, and 24's speed relative to 20's.
//
//   node tooling/scripts/bench-node-lines.mjs
//   BENCH_GROUPS=hashes-read BENCH_SIZES=100000 BENCH_LINE_ROUNDS=2 node tooling/scripts/bench-node-lines.mjs
//
// Every other BENCH_* setting passes through to the bench (BENCH_CASES, BENCH_REPETITIONS, ...); BENCH_NODE is
// set per run. The machine's Node.js is used for a line it belongs to; other lines come from fetch-node.sh.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "../..");
// Read once here: this script is run by hand, never as a turbo task.
const { BENCH_LINE_ROUNDS, BENCH_LINES, BENCH_GROUPS, BENCH_SIZES, BENCH_LINES_FROM } = process.env;
const rounds = Number(BENCH_LINE_ROUNDS ?? 2);
const lines = (BENCH_LINES ?? "20,24").split(",").map((line) => line.trim());

function nodeFor(line) {
  if (process.versions.node.split(".")[0] === line) return process.execPath;
  const bin = execFileSync("bash", [join(root, "tooling/scripts/fetch-node.sh"), line], { encoding: "utf8" });
  return join(bin.trim(), "node");
}

const nodes = Object.fromEntries(lines.map((line) => [line, nodeFor(line)]));
const versions = Object.fromEntries(
  lines.map((line) => [line, execFileSync(nodes[line], ["--version"], { encoding: "utf8" }).trim()]),
);
const env = {
  ...process.env,
  BENCH_GROUPS: BENCH_GROUPS ?? "hashes-read",
  BENCH_SIZES: BENCH_SIZES ?? "100000",
};
// BENCH_LINES_FROM=<output folder of an earlier run>: print that run's table again, measuring nothing.
const out = BENCH_LINES_FROM ?? mkdtempSync(join(tmpdir(), "polars-redis-bench-lines-"));
const loadBefore = loadavg()[0];
const samples = new Map(); // "group|case|size" -> { line -> { ms: [], cpu: [], rows } }
for (let round = 1; round <= rounds; round++) {
  for (const line of lines) {
    const dir = join(out, `node${line}-round${round}`);
    if (!BENCH_LINES_FROM) {
      console.error(`bench-node-lines: round ${round}/${rounds}, ${versions[line]}`);
      const run = spawnSync("pnpm", ["bench"], {
        cwd: root,
        env: { ...env, BENCH_NODE: nodes[line], BENCH_RESULTS_DIR: dir },
        stdio: ["ignore", "inherit", "inherit"],
      });
      if (run.status !== 0)
        console.error(`bench-node-lines: pnpm bench on ${versions[line]} exited ${run.status}`);
    }
    for (const file of readdirSync(dir).filter((name) => name.endsWith(".json"))) {
      const results = JSON.parse(readFileSync(join(dir, file), "utf8"));
      if (results.environment.node !== versions[line]) {
        throw new Error(`${file} was measured on ${results.environment.node}, expected ${versions[line]}`);
      }
      for (const result of results.results) {
        if (result.error || result.samplesMs.length === 0) continue;
        const key = `${result.group}|${result.case}|${result.size}`;
        if (!samples.has(key)) samples.set(key, {});
        const perLine = samples.get(key);
        perLine[line] ??= { ms: [], cpu: [], rows: result.rows };
        perLine[line].ms.push(...result.samplesMs);
        if (result.cpuMs !== null) perLine[line].cpu.push(result.cpuMs);
      }
    }
  }
}
const loadAfter = loadavg()[0];

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const cpu = (perLine) => (perLine.cpu.length > 0 ? median(perLine.cpu).toFixed(0) : "–");
const rate = (rows, ms) => `${Math.round(rows / (ms / 1000)).toLocaleString("en-US")}`;
const [first, second] = lines;
console.log(
  `\n| case (size) | ${versions[first]}: median ms (rows/s) | ${versions[second]}: median ms (rows/s) | ` +
    `${second} vs ${first} (wall) | client CPU ms ${first} → ${second} |`,
);
console.log("| --- | ---: | ---: | ---: | ---: |");
for (const [key, perLine] of samples) {
  const [, name, size] = key.split("|");
  const a = perLine[first];
  const b = perLine[second];
  if (!a || !b) continue;
  const ma = median(a.ms);
  const mb = median(b.ms);
  console.log(
    `| ${name} (${Number(size).toLocaleString("en-US")}) | ${ma.toFixed(0)} (${rate(a.rows, ma)}) | ` +
      `${mb.toFixed(0)} (${rate(b.rows, mb)}) | ${(ma / mb).toFixed(2)}× | ${cpu(a)} → ${cpu(b)} |`,
  );
}
console.log(
  `\n${rounds} alternating round(s) per line, samples pooled; 1-minute load average ${loadBefore.toFixed(1)} ` +
    `before, ${loadAfter.toFixed(1)} after; results in ${out}`,
);
