import { loadavg } from "node:os";
import type { BenchCase, BenchServer, CaseGroup } from "../registry/bench-case.js";
import type { CaseResult } from "../report/bench-results.js";
import type { BenchSettings } from "./bench-settings.js";
import type { CaseMeasurement } from "./case-measurement.js";
import { runCase } from "./run-case.js";
import { median, rowsPerSecond } from "./statistics.js";

export interface BenchHooks {
  /** Empties the server (before a group whose data set is not the one loaded). */
  flush(): Promise<void>;
  onProgress(message: string): void;
}

/** Everything measured for one case at one size, over all rounds. */
interface Pooled {
  group: string;
  benchCase: BenchCase;
  size: number;
  measurements: CaseMeasurement[];
  errors: string[];
  loadBefore: number;
  loadAfter: number;
}

/** Runs every selected group's cases at every size, loading each data set once per size and round. */
export async function runBenchmarks(
  server: BenchServer,
  groups: readonly CaseGroup[],
  settings: BenchSettings,
  hooks: BenchHooks,
): Promise<CaseResult[]> {
  const pooled: Pooled[] = [];
  for (const size of settings.sizes) {
    const atThisSize: Pooled[] = [];
    for (let round = 1; round <= settings.rounds; round++) {
      let loaded: string | undefined;
      let slot = 0;
      for (const group of groups) {
        const cases = group.cases.filter((benchCase) => selected(benchCase.name, settings.caseFilters));
        if (cases.length === 0) continue;
        if (group.dataset === undefined || group.dataset.id !== loaded) {
          await hooks.flush();
          loaded = undefined;
          if (group.dataset) {
            const started = performance.now();
            await group.dataset.load(server, size);
            loaded = group.dataset.id;
            const seconds = ((performance.now() - started) / 1000).toFixed(1);
            hooks.onProgress(`loaded ${group.dataset.id} × ${size} in ${seconds} s`);
          }
        }
        for (const benchCase of cases) {
          const roundLabel = settings.rounds > 1 ? ` (round ${round}/${settings.rounds})` : "";
          hooks.onProgress(`${group.name} @ ${size}${roundLabel}: ${benchCase.name}`);
          const entry = atThisSize[slot] ?? {
            group: group.name,
            benchCase,
            size,
            measurements: [],
            errors: [],
            loadBefore: loadavg()[0]!,
            loadAfter: 0,
          };
          atThisSize[slot++] = entry;
          try {
            const measurement = await runCase(group.name, benchCase, { server, size }, settings);
            entry.measurements.push(measurement);
            if (measurement.wrongRows) entry.errors.push(measurement.wrongRows);
            const rate = rowsPerSecond(measurement.rows, median(measurement.samplesMs));
            hooks.onProgress(
              measurement.wrongRows ? `  ! ${measurement.wrongRows}` : `  ${formatRate(rate)} rows/s`,
            );
          } catch (caught) {
            const message = caught instanceof Error ? caught.message : String(caught);
            entry.errors.push(message);
            hooks.onProgress(`  ! ${message.split("\n")[0]}`);
          }
          entry.loadAfter = loadavg()[0]!;
        }
      }
    }
    pooled.push(...atThisSize);
  }
  return addRatios(pooled.map(toResult), groups);
}

function formatRate(rate: number): string {
  return Math.round(rate).toLocaleString("en-US");
}

function selected(name: string, filters: readonly string[]): boolean {
  const lower = name.toLowerCase();
  return filters.length === 0 || filters.some((filter) => lower.includes(filter));
}

function toResult(entry: Pooled): CaseResult {
  const samplesMs = entry.measurements.flatMap((measurement) => measurement.samplesMs);
  const cpuSamples = entry.measurements.flatMap((measurement) => measurement.cpuSamplesMs ?? []);
  const peaks = entry.measurements
    .map((measurement) => measurement.peakRssBytes)
    .filter((peak) => peak !== null);
  const starts = entry.measurements
    .map((measurement) => measurement.startRssBytes)
    .filter((rss) => rss !== null);
  const rows = entry.measurements[0]?.rows ?? 0;
  const medianMs = samplesMs.length > 0 ? median(samplesMs) : 0;
  const error = [...new Set(entry.errors)].join("; ");
  return {
    group: entry.group,
    case: entry.benchCase.name,
    size: entry.size,
    role: entry.benchCase.role ?? null,
    rows,
    samplesMs,
    medianMs,
    rowsPerSecond: samplesMs.length > 0 ? rowsPerSecond(rows, medianMs) : 0,
    cpuMs: cpuSamples.length > 0 ? median(cpuSamples) : null,
    loadAverage: [round2(entry.loadBefore), round2(entry.loadAfter)],
    vsBaseline: null,
    vsCeiling: null,
    peakRssBytes: peaks.length > 0 ? Math.max(...peaks) : null,
    startRssBytes: starts.length > 0 ? Math.min(...starts) : null,
    ...(error ? { error } : {}),
  };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Fills the ratio columns: each row's rows/s over its group's baseline and ceiling at the same size. */
export function addRatios(results: readonly CaseResult[], groups: readonly CaseGroup[]): CaseResult[] {
  const referenceGroup = new Map(groups.map((group) => [group.name, group.ratiosFrom ?? group.name]));
  const reference = (role: "baseline" | "ceiling", group: string, size: number) =>
    results.find(
      (result) =>
        result.role === role &&
        result.group === (referenceGroup.get(group) ?? group) &&
        result.size === size &&
        !result.error,
    )?.rowsPerSecond;
  return results.map((result) => {
    if (result.samplesMs.length === 0) return result;
    const baseline = reference("baseline", result.group, result.size);
    const ceiling = reference("ceiling", result.group, result.size);
    return {
      ...result,
      vsBaseline: baseline ? result.rowsPerSecond / baseline : null,
      vsCeiling: ceiling ? result.rowsPerSecond / ceiling : null,
    };
  });
}
