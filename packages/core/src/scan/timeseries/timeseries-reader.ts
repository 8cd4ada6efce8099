import type { BatchReply, Command, RedisReply } from "../../connection/redis-connection.js";
import type { ScalarDtype } from "../../schema/dtype.js";
import type { ColumnBuilder } from "../columns/column-builder.js";
import type { ColumnData } from "../columns/column-data.js";
import { createColumnBuilder } from "../columns/create-column-builder.js";
import { skipUnreadableKey } from "../reply-errors.js";
import type { ColumnSpec, ReadContext, RowChunk, ScanReader } from "../scan-reader.js";
import type { RangeQuery } from "./timeseries-range.js";

/** Samples asked for per round trip across the series of a batch, spread evenly over them. */
const SAMPLES_PER_ROUND = 100_000;
const MIN_PAGE = 100;

const TIMESTAMP: ScalarDtype = { kind: "datetime", unit: "ms", timeZone: null };
const VALUE: ScalarDtype = { kind: "float64" };
const LABEL: ScalarDtype = { kind: "utf8" };

export interface TimeseriesColumns {
  readonly timestampColumn: string;
  readonly valueColumn: string;
  /** Label names, each read into a Utf8 column of the same name. */
  readonly labels: readonly string[];
  /** The output columns, in order (a subset of the above when `columns` projects). */
  readonly selected: readonly string[];
}

/**
 * Time series: one row per sample (or per bucket with `aggregation`), with the sample's timestamp (Datetime ms)
 * and value (Float64), plus the series' labels as Utf8 columns.
 *
 * Each series is read in pages: `TS.RANGE key from to COUNT n [AGGREGATION type bucketMs]`, the next page
 * starting just after the last timestamp seen (a bucket later with aggregation: without ALIGN, buckets start at
 * multiples of bucketMs, so the next bucket starts exactly there). A round trip asks every unfinished series of
 * the batch for its next page, at most about 100,000 samples in all, so a series of millions of samples is never
 * held in memory at once. Labels come from `TS.INFO key` (one pipelined round trip per batch, only when label
 * columns are asked for): TS.MRANGE WITHLABELS would need a label FILTER and cannot select series by key
 * pattern or key list, nor route by key on a cluster.
 */
export class TimeseriesReader implements ScanReader {
  readonly keyType = "TSDB-TYPE" as const;
  readonly columns: readonly ColumnSpec[];
  private readonly query: RangeQuery;
  private readonly names: TimeseriesColumns;
  private readonly pageSize: number | undefined;
  /** For each output column: "ts", "value" or a label index. */
  private readonly sources: readonly ("ts" | "value" | number)[];

  constructor(query: RangeQuery, names: TimeseriesColumns, options: { pageSize?: number | undefined } = {}) {
    this.query = query;
    this.names = names;
    this.pageSize = options.pageSize;
    this.sources = names.selected.map((name) =>
      name === names.timestampColumn
        ? "ts"
        : name === names.valueColumn
          ? "value"
          : names.labels.indexOf(name),
    );
    this.columns = names.selected.map((name, index) => {
      const source = this.sources[index];
      return { name, dtype: source === "ts" ? TIMESTAMP : source === "value" ? VALUE : LABEL };
    });
  }

  /** The TS.RANGE command for one page of one series. */
  rangeCommand(key: string, from: number | "-", count: number): Command {
    const command: (string | number)[] = ["TS.RANGE", key, from, this.query.to, "COUNT", count];
    const aggregation = this.query.aggregation;
    if (aggregation !== undefined) command.push("AGGREGATION", aggregation.type, aggregation.bucketMs);
    return command as unknown as Command;
  }

  async *readBatch(keys: readonly string[], context: ReadContext): AsyncGenerator<RowChunk> {
    const labelIndexes = this.sources.filter((source): source is number => typeof source === "number");
    const labelsOf = labelIndexes.length > 0 ? await this.readLabels(keys, context) : undefined;

    const next: (number | "-")[] = keys.map(() => this.query.from);
    const remaining: number[] = keys.map(() => this.query.countPerSeries ?? Number.POSITIVE_INFINITY);
    const rowsSoFar = new Int32Array(keys.length);
    let active = keys.map((_, k) => k).filter((k) => labelsOf === undefined || labelsOf[k] !== undefined);

    while (active.length > 0) {
      const page = this.pageSize ?? Math.max(MIN_PAGE, Math.floor(SAMPLES_PER_ROUND / active.length));
      const counts = active.map((k) => Math.min(page, remaining[k]!));
      const replies = await context.batch(
        active.map((k, i) => this.rangeCommand(keys[k]!, next[k]!, counts[i]!)),
      );

      const timestamps: number[] = [];
      const keyIndexes: number[] = [];
      const values = createColumnBuilder(VALUE, Math.min(page * active.length, SAMPLES_PER_ROUND));
      const labelBuilders = labelIndexes.map(() => createColumnBuilder(LABEL, 16));
      const stillActive: number[] = [];
      for (let i = 0; i < active.length; i++) {
        const k = active[i]!;
        // A series that vanishes after its first page has been read in part: it is not counted as missing.
        const samples = this.samplesOf(replies[i]!, rowsSoFar[k] === 0, context);
        if (samples === undefined) continue;
        let bytes = 0;
        for (const sample of samples) {
          const [timestamp, value] = sample as [RedisReply, RedisReply];
          timestamps.push(Number(timestamp));
          keyIndexes.push(k);
          const raw = value as Buffer | string;
          bytes += 8 + raw.length;
          context.coercion.append(values, raw, keys[k]!, this.names.valueColumn);
          for (let b = 0; b < labelIndexes.length; b++) {
            appendLabel(labelBuilders[b]!, labelsOf![k]!.get(this.names.labels[labelIndexes[b]!]!));
          }
        }
        context.addBytes(bytes);
        rowsSoFar[k] = rowsSoFar[k]! + samples.length;
        const left = remaining[k]! - samples.length;
        remaining[k] = left;
        if (samples.length < counts[i]! || left <= 0 || samples.length === 0) continue;
        const last = Number((samples[samples.length - 1] as RedisReply[])[0]);
        const from = last + (this.query.aggregation?.bucketMs ?? 1);
        if (typeof this.query.to === "number" && from > this.query.to) continue;
        next[k] = from;
        stillActive.push(k);
      }
      active = stillActive;
      if (timestamps.length === 0) continue;
      const valueData = values.finish();
      const labelData = labelBuilders.map((builder) => builder.finish());
      const columns: ColumnData[] = this.sources.map((source) => {
        if (source === "ts") return timestampData(timestamps);
        if (source === "value") return valueData;
        return labelData[labelIndexes.indexOf(source)]!;
      });
      yield { rowCount: timestamps.length, keyIndexes: Int32Array.from(keyIndexes), columns };
    }
  }

  /**
   * A TS.RANGE reply's samples, or undefined when the series is to be skipped: gone (deleted or expired after
   * SCAN) or holding another type, counted when `count` (before any of its rows was read). Other errors throw.
   */
  private samplesOf(reply: BatchReply, count: boolean, context: ReadContext): RedisReply[] | undefined {
    if (skipUnreadableKey(reply, context, { isMissing: isMissingSeries, count })) return undefined;
    if (!Array.isArray(reply))
      throw new TypeError(`TS.RANGE answered ${String(reply)}, not an array of samples`);
    return reply;
  }

  /** TS.INFO for every key: label name → value, or undefined for a key that is gone or of another type. */
  private async readLabels(
    keys: readonly string[],
    context: ReadContext,
  ): Promise<(Map<string, string> | undefined)[]> {
    const replies = await context.batch(keys.map((key): Command => ["TS.INFO", key]));
    return replies.map((reply) =>
      skipUnreadableKey(reply, context, { isMissing: isMissingSeries })
        ? undefined
        : infoLabels(reply as RedisReply),
    );
  }
}

/** RedisTimeSeries answers "ERR TSDB: the key does not exist" for a missing series. */
function isMissingSeries(error: Error): boolean {
  return /key does not exist/i.test(error.message);
}

/** The `labels` entry of a TS.INFO reply (a flat [name, value, ...] array): [[label, value], ...]. */
export function infoLabels(reply: RedisReply): Map<string, string> {
  const labels = new Map<string, string>();
  if (!Array.isArray(reply)) return labels;
  for (let i = 0; i + 1 < reply.length; i += 2) {
    if (String(reply[i]) !== "labels") continue;
    const pairs = reply[i + 1];
    if (!Array.isArray(pairs)) break;
    for (const pair of pairs) {
      if (Array.isArray(pair) && pair.length >= 2 && pair[0] != null && pair[1] != null) {
        labels.set(String(pair[0]), String(pair[1]));
      }
    }
    break;
  }
  return labels;
}

function appendLabel(builder: ColumnBuilder, value: string | undefined): void {
  if (value === undefined) builder.appendNull();
  else builder.append(value);
}

/** Timestamps are integer epoch milliseconds: stored as the Datetime(ms) column's Float64Array. */
function timestampData(timestamps: number[]): ColumnData {
  return {
    dtype: TIMESTAMP,
    length: timestamps.length,
    values: Float64Array.from(timestamps),
    validity: null,
    nullCount: 0,
  };
}
