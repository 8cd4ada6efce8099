import type { BenchResults, CaseResult } from "./bench-results.js";
import { formatCount, formatMegabytes, markdownTable } from "./format-table.js";

export interface Comparison {
  readonly table: string;
  /** Human-readable lines, one per regression beyond the threshold. */
  readonly regressions: string[];
}

const identity = (result: CaseResult) => `${result.group}\u0000${result.case}\u0000${result.size}`;

/**
 * Compares a candidate run with a reference run, case by case (same group, case and size). A case regresses
 * when its rows/s drop, or its peak RSS grows, by more than `threshold` (0.10 = 10%). Cases present in only one
 * file, and failed cases, are listed but are not regressions of speed: a case that failed in the candidate is.
 */
export function compareResults(
  reference: BenchResults,
  candidate: BenchResults,
  threshold = 0.1,
): Comparison {
  const before = new Map(reference.results.map((result) => [identity(result), result]));
  const regressions: string[] = [];
  const rows: string[][] = [];
  for (const after of candidate.results) {
    const previous = before.get(identity(after));
    before.delete(identity(after));
    const label = `${after.case} @ ${formatCount(after.size)}`;
    if (!previous) {
      rows.push([
        label,
        "–",
        formatCount(after.rowsPerSecond),
        "new",
        "–",
        formatMegabytes(after.peakRssBytes),
        "",
      ]);
      continue;
    }
    const flags: string[] = [];
    if (after.error && !previous.error) {
      flags.push("FAILED");
      regressions.push(`${label}: failed (${after.error.split("\n")[0]})`);
    }
    const speedChange = relativeChange(previous.rowsPerSecond, after.rowsPerSecond);
    if (!after.error && !previous.error && speedChange !== null && speedChange < -threshold) {
      flags.push("SLOWER");
      regressions.push(
        `${label}: ${formatPercent(speedChange)} rows/s (${formatCount(previous.rowsPerSecond)} → ${formatCount(after.rowsPerSecond)})`,
      );
    }
    const memoryChange = relativeChange(previous.peakRssBytes, after.peakRssBytes);
    if (memoryChange !== null && memoryChange > threshold) {
      flags.push("MORE MEMORY");
      regressions.push(
        `${label}: peak RSS ${formatPercent(memoryChange)} (${formatMegabytes(previous.peakRssBytes)} → ${formatMegabytes(after.peakRssBytes)})`,
      );
    }
    rows.push([
      label,
      formatCount(previous.rowsPerSecond),
      formatCount(after.rowsPerSecond),
      speedChange === null ? "–" : formatPercent(speedChange),
      formatMegabytes(previous.peakRssBytes),
      formatMegabytes(after.peakRssBytes),
      flags.join(", "),
    ]);
  }
  for (const gone of before.values()) {
    rows.push([
      `${gone.case} @ ${formatCount(gone.size)}`,
      formatCount(gone.rowsPerSecond),
      "–",
      "missing",
      formatMegabytes(gone.peakRssBytes),
      "–",
      "",
    ]);
  }
  const headers = [
    "case @ size",
    "rows/s before",
    "rows/s after",
    "change",
    "RSS before",
    "RSS after",
    "flag",
  ];
  return { table: markdownTable(headers, rows), regressions };
}

function relativeChange(before: number | null, after: number | null): number | null {
  if (before === null || after === null || before <= 0) return null;
  return after / before - 1;
}

function formatPercent(change: number): string {
  return `${change >= 0 ? "+" : ""}${(change * 100).toFixed(1)}%`;
}
