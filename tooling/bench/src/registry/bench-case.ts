/** Where the cases run: the private redis-server the runner started for this benchmark run. */
export interface BenchServer {
  readonly host: string;
  readonly port: number;
  readonly url: string;
}

export interface CaseContext {
  readonly server: BenchServer;
  /** The data set size of this run (e.g. 100000 hashes). */
  readonly size: number;
}

/** What one repetition of a case produced. */
export interface CaseRun {
  /** Rows read or written. Checked against the case's `expectedRows` when it has one. */
  readonly rows: number;
  /**
   * The duration to report instead of the runner's own wall clock, for external tools that measure themselves
   * (redis-benchmark reports requests per second; its start-up is not part of the server's ceiling).
   */
  readonly elapsedMs?: number;
}

/**
 * One named measurement. Cases run in a child process of their own (so each gets a clean heap and an exact
 * peak RSS), unless `runsIn: "runner"` (external tools, whose memory is not ours to report).
 */
export interface BenchCase {
  readonly name: string;
  /** The reference rows that the ratio columns divide by: one baseline and one ceiling per group and size. */
  readonly role?: "baseline" | "ceiling";
  readonly runsIn?: "worker" | "runner";
  /** Rows every repetition must produce; a different count marks the result as wrong, not slow. */
  expectedRows?(size: number): number;
  /**
   * Runs once in the worker before anything is measured (RSS at start included): the case's code on a small
   * input, so the first use of its libraries (native code pages, JIT, buffer pools: ~10 MB for polars + a client)
   * is not counted in the case's peak RSS, which then is what the operation holds for its data.
   */
  prepare?(context: CaseContext): Promise<void>;
  run(context: CaseContext): Promise<CaseRun>;
}

/** The data a group's cases expect on the server. Loaded once per size, shared by groups naming the same id. */
export interface BenchDataset {
  readonly id: string;
  load(server: BenchServer, size: number): Promise<void>;
}

/**
 * A group of cases measured side by side on the same data: one file per group under `src/cases/`, listed in
 * `case-registry.ts`. Other packages add their rows by adding a group (writer, cluster, streams).
 */
export interface CaseGroup {
  readonly name: string;
  readonly description: string;
  /** Loaded before the group's cases run; without one, the server is flushed and the cases bring their own. */
  readonly dataset?: BenchDataset;
  /** Take the baseline and ceiling for ratios from another group measured on the same data. */
  readonly ratiosFrom?: string;
  /** Groups that only run when named in BENCH_GROUPS (prototypes, slow extras). */
  readonly optIn?: boolean;
  /** Redis modules the group's server must load (testkit's names: "search", "timeseries", "json"). */
  readonly modules?: readonly ("search" | "timeseries" | "json")[];
  readonly cases: readonly BenchCase[];
}
