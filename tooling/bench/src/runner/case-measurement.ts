/** What the runner measured for one case at one size. */
export interface CaseMeasurement {
  /** Rows of one repetition. */
  readonly rows: number;
  /** Duration of every timed repetition (warm-ups excluded), in run order. */
  readonly samplesMs: readonly number[];
  /** CPU time (user + system) this process spent in each timed repetition: steadier than wall time on a busy
   * machine, and the cost the library itself controls. Null for external tools. */
  readonly cpuSamplesMs: readonly number[] | null;
  /** Highest resident set size of the process that ran the case (warm-ups included); null for external tools. */
  readonly peakRssBytes: number | null;
  /** Resident set size before the first repetition (Node, Polars and the case's modules loaded). */
  readonly startRssBytes: number | null;
  /** Set when a repetition produced a different row count than the case expects. */
  readonly wrongRows?: string;
}

/** One repetition-loop job, sent to a worker process as its only argument. */
export interface CaseJob {
  readonly group: string;
  readonly caseName: string;
  readonly size: number;
  readonly server: { host: string; port: number; url: string };
  readonly warmups: number;
  readonly repetitions: number;
}
