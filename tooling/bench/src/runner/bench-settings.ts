export interface BenchSettings {
  readonly sizes: number[];
  /** Group names to run; empty means every group that is not opt-in. */
  readonly groups: string[];
  /** Run only cases whose name contains one of these (case-insensitive); empty means all. */
  readonly caseFilters: string[];
  readonly warmups: number;
  readonly repetitions: number;
  /** Times the whole list of cases is run; samples of all rounds are pooled, so on a busy machine every case
   * sees the same mix of quiet and noisy moments. */
  readonly rounds: number;
  readonly timeoutMs: number;
  readonly resultsDirectory: string;
}

const DEFAULT_SIZES = [100_000, 1_000_000];

/**
 * Settings from the environment:
 * BENCH_SIZES=100000,1000000  BENCH_GROUPS=hashes-read,hashes-read-experiments  BENCH_CASES=loop,readHashes
 * BENCH_WARMUPS=1  BENCH_REPETITIONS=3  BENCH_ROUNDS=1  BENCH_CASE_TIMEOUT_MS=900000  BENCH_RESULTS_DIR=<dir>
 */
export function settingsFromEnvironment(
  environment: NodeJS.ProcessEnv,
  defaultResultsDirectory: string,
): BenchSettings {
  return {
    sizes: list(environment.BENCH_SIZES).map((text) =>
      positiveInteger("BENCH_SIZES", text.replaceAll("_", "")),
    ),
    groups: list(environment.BENCH_GROUPS),
    caseFilters: list(environment.BENCH_CASES).map((text) => text.toLowerCase()),
    warmups: integerOr(environment.BENCH_WARMUPS, "BENCH_WARMUPS", 1, 0),
    repetitions: integerOr(environment.BENCH_REPETITIONS, "BENCH_REPETITIONS", 3, 1),
    rounds: integerOr(environment.BENCH_ROUNDS, "BENCH_ROUNDS", 1, 1),
    timeoutMs: integerOr(environment.BENCH_CASE_TIMEOUT_MS, "BENCH_CASE_TIMEOUT_MS", 15 * 60_000, 1),
    resultsDirectory: environment.BENCH_RESULTS_DIR ?? defaultResultsDirectory,
  };

  function list(text: string | undefined): string[] {
    return (text ?? "")
      .split(",")
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
  }
}

export function withDefaultSizes(settings: BenchSettings): BenchSettings {
  return settings.sizes.length > 0 ? settings : { ...settings, sizes: DEFAULT_SIZES };
}

function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name}: "${text}" is not a positive integer`);
  return value;
}

function integerOr(text: string | undefined, name: string, fallback: number, minimum: number): number {
  if (text === undefined || text.trim() === "") return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < minimum)
    throw new Error(`${name}: "${text}" must be an integer ≥ ${minimum}`);
  return value;
}
