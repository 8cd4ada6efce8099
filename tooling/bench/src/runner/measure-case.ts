import { readFileSync } from "node:fs";
import type { BenchCase, CaseContext } from "../registry/bench-case.js";
import type { CaseMeasurement } from "./case-measurement.js";

/** A full collection between repetitions when the process runs with --expose-gc, so garbage left by one
 * repetition is not collected on the next one's clock. */
const collectGarbage = (globalThis as { gc?: () => void }).gc ?? (() => {});

/** A run longer than this ends the warm-up, and the next run is the only timed one. */
const LONG_RUN_MS = 30_000;

/**
 * This process's peak resident set. On Linux `getrusage`'s maxRSS survives fork + exec, so a worker forked
 * from a runner holding 800 MB reports at least 800 MB whatever it does (measured: a 43 MB child reported
 * 767 MB); the memory map's own high-water mark (VmHWM) starts afresh with the new program.
 */
function peakRss(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/status", "utf8"));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}

/** Runs warm-ups, then timed repetitions of one case in this process. */
export async function measureCase(
  benchCase: BenchCase,
  context: CaseContext,
  warmups: number,
  repetitions: number,
  options: { trackMemory: boolean },
): Promise<CaseMeasurement> {
  if (benchCase.prepare !== undefined) {
    await benchCase.prepare(context);
    collectGarbage();
  }
  const startRssBytes = options.trackMemory ? process.memoryUsage.rss() : null;
  const expected = benchCase.expectedRows?.(context.size);
  let wrongRows: string | undefined;
  let rows = 0;
  const samplesMs: number[] = [];
  const cpuSamplesMs: number[] = [];
  let planned = warmups + repetitions;
  for (let round = 0; round < planned; round++) {
    collectGarbage();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const run = await benchCase.run(context);
    const elapsedMs = run.elapsedMs ?? performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    rows = run.rows;
    if (expected !== undefined && run.rows !== expected) {
      wrongRows ??= `expected ${expected} rows, got ${run.rows}`;
    }
    if (round >= warmups) {
      samplesMs.push(elapsedMs);
      cpuSamplesMs.push((cpu.user + cpu.system) / 1000);
    }
    // A case this slow gains nothing from warm-up: one more timed run (or this one) is the measurement.
    if (elapsedMs > LONG_RUN_MS) planned = Math.min(planned, round < warmups ? round + 2 : round + 1);
  }
  const peakRssBytes = options.trackMemory ? peakRss() : null;
  return {
    rows,
    samplesMs,
    cpuSamplesMs: options.trackMemory ? cpuSamplesMs : null,
    peakRssBytes,
    startRssBytes,
    ...(wrongRows ? { wrongRows } : {}),
  };
}
