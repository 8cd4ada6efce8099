import { checkCount } from "./check-count.js";
import { type Seed, SeededRandom } from "./seeded-random.js";
import { REGIONS } from "./vocabulary.js";

export interface GeneratedTimeSeries {
  readonly keys: string[];
  /** RedisTimeSeries labels per series. */
  readonly labels: Array<Record<string, string>>;
  /** Timestamps shared by every series, epoch ms, strictly increasing. */
  readonly timestamps: Float64Array;
  /** One array of values per series (a random walk), aligned with `timestamps`. */
  readonly values: Float64Array[];
}

export interface GenerateTimeSeriesOptions {
  series: number;
  pointsPerSeries: number;
  seed?: Seed | undefined;
  keyPrefix?: string | undefined;
  /** First timestamp, epoch ms [2024-01-01T00:00:00Z]. */
  startMs?: number | undefined;
  /** Step between points, ms [1000]. */
  intervalMs?: number | undefined;
}

const SENSORS = ["temperature", "humidity", "pressure", "cpu", "latency"] as const;

/** Time series points (a random walk per series) with labels, the same for the same seed. */
export function generateTimeSeries({
  series,
  pointsPerSeries,
  seed = 1,
  keyPrefix = "ts:",
  startMs = Date.UTC(2024, 0, 1),
  intervalMs = 1000,
}: GenerateTimeSeriesOptions): GeneratedTimeSeries {
  checkCount(series, "series");
  checkCount(pointsPerSeries, "pointsPerSeries");
  if (!(intervalMs >= 1)) throw new RangeError(`intervalMs must be >= 1, got ${intervalMs}`);
  const random = new SeededRandom(`timeseries:${seed}`);
  const keys = Array.from({ length: series }, (_, index) => `${keyPrefix}${index}`);
  const labels = keys.map((_, index) => ({
    sensor: SENSORS[index % SENSORS.length]!,
    region: random.pick(REGIONS),
    device: `device-${index}`,
  }));
  const timestamps = new Float64Array(pointsPerSeries);
  for (let point = 0; point < pointsPerSeries; point++) timestamps[point] = startMs + point * intervalMs;
  const values = keys.map(() => {
    const walk = new Float64Array(pointsPerSeries);
    let value = random.float(0, 100);
    for (let point = 0; point < pointsPerSeries; point++) {
      value += random.float(-1, 1);
      walk[point] = Math.round(value * 1000) / 1000;
    }
    return walk;
  });
  return { keys, labels, timestamps, values };
}
