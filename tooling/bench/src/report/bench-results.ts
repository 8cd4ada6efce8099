import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** One row of the table: a case at one size. */
export interface CaseResult {
  readonly group: string;
  readonly case: string;
  readonly size: number;
  readonly role: "baseline" | "ceiling" | null;
  readonly rows: number;
  readonly samplesMs: readonly number[];
  readonly medianMs: number;
  readonly rowsPerSecond: number;
  /** Median CPU time of the measuring process per repetition (null for external tools). */
  readonly cpuMs: number | null;
  /** The 1-minute load average before and after the case: how busy the machine was while it ran. */
  readonly loadAverage: readonly [number, number];
  /** rows/s divided by the group's baseline (the hand-written loop) at the same size. */
  readonly vsBaseline: number | null;
  /** rows/s divided by the group's ceiling (redis-benchmark) at the same size. */
  readonly vsCeiling: number | null;
  readonly peakRssBytes: number | null;
  readonly startRssBytes: number | null;
  /** Why the row has no figures (the case failed) or why its figures are not to be trusted (wrong rows). */
  readonly error?: string;
}

export interface BenchResults {
  readonly format: "polars-redis-bench/1";
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly environment: Record<string, string | number>;
  readonly settings: {
    sizes: number[];
    warmups: number;
    repetitions: number;
    rounds: number;
    groups: string[];
  };
  readonly results: CaseResult[];
}

export function writeResults(directory: string, results: BenchResults): string {
  mkdirSync(directory, { recursive: true });
  const stamp = results.startedAt.replaceAll(":", "-").replace(/\.\d+Z$/, "Z");
  const path = join(directory, `${stamp}.json`);
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
  return path;
}

export function readResults(path: string): BenchResults {
  const parsed = JSON.parse(readFileSync(path, "utf8")) as Partial<BenchResults>;
  if (parsed.format !== "polars-redis-bench/1" || !Array.isArray(parsed.results)) {
    throw new Error(`${path} is not a polars-redis benchmark result file`);
  }
  return parsed as BenchResults;
}
