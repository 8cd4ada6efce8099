import { describe, expect, it } from "vitest";
import type { BenchResults, CaseResult } from "../src/report/bench-results.js";
import { compareResults } from "../src/report/compare-results.js";

function result(name: string, rowsPerSecond: number, extra: Partial<CaseResult> = {}): CaseResult {
  return {
    group: "hashes-read",
    case: name,
    size: 100_000,
    role: null,
    rows: 100_000,
    samplesMs: [(100_000 / rowsPerSecond) * 1000],
    medianMs: (100_000 / rowsPerSecond) * 1000,
    rowsPerSecond,
    cpuMs: null,
    loadAverage: [0, 0],
    vsBaseline: null,
    vsCeiling: null,
    peakRssBytes: 200 * 2 ** 20,
    startRssBytes: 100 * 2 ** 20,
    ...extra,
  };
}

function run(results: CaseResult[]): BenchResults {
  return {
    format: "polars-redis-bench/1",
    startedAt: "2026-01-01T00:00:00.000Z",
    finishedAt: "2026-01-01T00:01:00.000Z",
    environment: {},
    settings: { sizes: [100_000], warmups: 1, repetitions: 3, rounds: 1, groups: ["hashes-read"] },
    results,
  };
}

describe("compareResults", () => {
  it("flags a case more than 10% slower, and only that case", () => {
    const comparison = compareResults(
      run([result("readHashes", 200_000), result("loop", 50_000)]),
      run([result("readHashes", 170_000), result("loop", 47_000)]),
    );
    expect(comparison.regressions).toHaveLength(1);
    expect(comparison.regressions[0]).toContain("readHashes");
    expect(comparison.regressions[0]).toContain("-15.0%");
    expect(comparison.table).toContain("SLOWER");
  });

  it("accepts changes within the threshold and any speed-up", () => {
    const comparison = compareResults(
      run([result("readHashes", 200_000), result("loop", 50_000)]),
      run([result("readHashes", 181_000), result("loop", 90_000)]),
    );
    expect(comparison.regressions).toEqual([]);
  });

  it("flags peak RSS growing by more than the threshold", () => {
    const comparison = compareResults(
      run([result("readHashes", 200_000)]),
      run([result("readHashes", 200_000, { peakRssBytes: 260 * 2 ** 20 })]),
    );
    expect(comparison.regressions).toEqual([expect.stringContaining("peak RSS +30.0%")]);
  });

  it("treats a newly failing case as a regression, and lists new and missing cases without failing", () => {
    const comparison = compareResults(
      run([result("readHashes", 200_000), result("old case", 10_000)]),
      run([
        result("readHashes", 0, { error: "expected 100000 rows, got 99000", samplesMs: [] }),
        result("new case", 10_000),
      ]),
    );
    expect(comparison.regressions).toEqual([expect.stringContaining("failed (expected 100000 rows")]);
    expect(comparison.table).toContain("new");
    expect(comparison.table).toContain("missing");
  });

  it("honours a custom threshold", () => {
    const reference = run([result("readHashes", 200_000)]);
    const candidate = run([result("readHashes", 184_000)]);
    expect(compareResults(reference, candidate, 0.05).regressions).toHaveLength(1);
    expect(compareResults(reference, candidate, 0.1).regressions).toHaveLength(0);
  });
});
