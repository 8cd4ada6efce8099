import { describe, expect, it } from "vitest";
import { parseRequestsPerSecond } from "../src/ceiling/redis-benchmark.js";
import type { CaseResult } from "../src/report/bench-results.js";
import { settingsFromEnvironment, withDefaultSizes } from "../src/runner/bench-settings.js";
import { addRatios } from "../src/runner/run-benchmarks.js";
import { median, rowsPerSecond } from "../src/runner/statistics.js";

describe("statistics", () => {
  it("takes the median of odd and even counts without reordering the input", () => {
    const samples = [30, 10, 20];
    expect(median(samples)).toBe(20);
    expect(samples).toEqual([30, 10, 20]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow();
  });

  it("converts rows and milliseconds to rows per second", () => {
    expect(rowsPerSecond(100_000, 500)).toBe(200_000);
    expect(rowsPerSecond(5, 0)).toBe(0);
  });
});

describe("redis-benchmark output", () => {
  it("reads the requests per second of a custom command from --csv output", () => {
    const csv = [
      '"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"',
      '"HGETALL bench:hash:__rand_int__","549450.56","4.949","0.432","4.951","6.055","6.847","9.423"',
      "",
    ].join("\n");
    expect(parseRequestsPerSecond(csv)).toBe(549450.56);
  });

  it("rejects output without a rate", () => {
    expect(() => parseRequestsPerSecond("ERROR: connection refused\n")).toThrow(/cannot read/);
  });
});

describe("settings", () => {
  it("defaults to both sizes, 1 warm-up and 3 repetitions", () => {
    const settings = withDefaultSizes(settingsFromEnvironment({}, "/tmp/results"));
    expect(settings).toMatchObject({ sizes: [100_000, 1_000_000], warmups: 1, repetitions: 3, groups: [] });
  });

  it("reads sizes, groups and case filters from the environment", () => {
    const settings = settingsFromEnvironment(
      {
        BENCH_SIZES: "1_000, 5000",
        BENCH_GROUPS: "hashes-read",
        BENCH_CASES: "Loop,readHashes",
        BENCH_REPETITIONS: "5",
      },
      "/tmp/results",
    );
    expect(settings).toMatchObject({
      sizes: [1000, 5000],
      groups: ["hashes-read"],
      caseFilters: ["loop", "readhashes"],
      repetitions: 5,
    });
  });

  it("rejects a size that is not a positive integer", () => {
    expect(() => settingsFromEnvironment({ BENCH_SIZES: "100k" }, "/tmp")).toThrow(/BENCH_SIZES/);
    expect(() => settingsFromEnvironment({ BENCH_REPETITIONS: "0" }, "/tmp")).toThrow(/BENCH_REPETITIONS/);
  });
});

describe("ratio columns", () => {
  const row = (
    group: string,
    name: string,
    rowsPerSecond: number,
    role: CaseResult["role"] = null,
  ): CaseResult => ({
    group,
    case: name,
    size: 1000,
    role,
    rows: 1000,
    samplesMs: [1],
    medianMs: 1,
    rowsPerSecond,
    cpuMs: null,
    loadAverage: [0, 0],
    vsBaseline: null,
    vsCeiling: null,
    peakRssBytes: null,
    startRssBytes: null,
  });

  it("divides by the baseline and ceiling of the same size, also for groups that borrow them", () => {
    const groups = [
      { name: "reads", description: "", cases: [] },
      { name: "prototypes", description: "", ratiosFrom: "reads", cases: [] },
    ];
    const results = addRatios(
      [
        row("reads", "ceiling", 400, "ceiling"),
        row("reads", "loop", 50, "baseline"),
        row("prototypes", "fast", 200),
      ],
      groups,
    );
    expect(results[2]).toMatchObject({ vsBaseline: 4, vsCeiling: 0.5 });
    expect(results[1]).toMatchObject({ vsBaseline: 1, vsCeiling: 0.125 });
  });
});
