import {
  type BatchReply,
  type Command,
  InvalidArgumentError,
  isCommandError,
  type RedisArgument,
  RedisCommandError,
  type RedisConnection,
  type WriteResult,
} from "@polars-redis/core";
import { requireModule } from "@polars-redis/core/internal";
import pl, { type DataFrame } from "nodejs-polars";
import { executeWrite } from "../engine/execute-write.js";
import { ARGS_PER_CALL, ScriptPlan } from "../engine/script-plan.js";
import { ArgumentsUnit } from "../engine/script-unit.js";
import type { KeyStatus, WritePlan } from "../engine/write-plan.js";
import { formatColumn, isIntegerDtype } from "../frame/format-column.js";
import { groupRowsByKey } from "../frame/group-rows.js";
import { consistentTtl } from "../frame/key-ttl.js";
import { requireColumn, requireNumericColumn } from "../frame/require-column.js";
import { resolveKeys } from "../frame/resolve-keys.js";
import { resolveTtls } from "../frame/resolve-ttls.js";
import { checkWriteCall, resolveWriteOptions } from "../options/resolve-write-options.js";
import type { WriteOptions } from "../options/write-options.js";
import { TIMESERIES_SCRIPT } from "../scripts/timeseries-script.js";

const DUPLICATE_POLICIES = ["BLOCK", "FIRST", "LAST", "MIN", "MAX", "SUM"] as const;
export type DuplicatePolicy = (typeof DUPLICATE_POLICIES)[number];

export interface WriteTimeseriesOptions extends WriteOptions {
  /** Sample times: a Datetime or Date column, or integer epoch milliseconds. ["_ts"] */
  timestampColumn?: string | undefined;
  /** Sample values (numeric). ["value"] */
  valueColumn?: string | undefined;
  /** Labels given to every series this write creates. */
  labels?: Readonly<Record<string, string>> | undefined;
  /** Columns whose values (per key) become labels of the series this write creates. */
  labelColumns?: readonly string[] | undefined;
  /** RETENTION of created series, in ms. [the server's default] */
  retentionMs?: number | undefined;
  /**
   * DUPLICATE_POLICY of created series. ["LAST"]: re-adding a sample at the same time stores the same value,
   * so a replay is harmless. (A series created elsewhere keeps its own policy; with BLOCK a replayed sample is
   * reported as an error.)
   */
  duplicatePolicy?: DuplicatePolicy | undefined;
}

/** A series to write: its TS.CREATE options and samples (for plain commands) and its script payload parts. */
class SeriesUnit extends ArgumentsUnit {
  constructor(
    key: string,
    ttl: number,
    parts: readonly (readonly RedisArgument[])[],
    /** TS.CREATE arguments after the key. */
    readonly create: readonly RedisArgument[],
    /** Timestamp/value pairs, cut into TS.MADD-sized parts. */
    readonly samples: readonly (readonly RedisArgument[])[],
  ) {
    super(key, ttl, parts);
  }
}

/**
 * Writes RedisTimeSeries samples: one sample per row, rows grouped by key (TS.MADD, creating missing series with
 * TS.CREATE). Rows with a null timestamp or value are left out; a key with none left is reported as skipped.
 * Default mode "append" (add samples); "replace" recreates each series atomically; "fail" skips existing series.
 * NaN, ±inf and negative timestamps are refused before writing.
 */
export async function writeTimeseries(
  connection: RedisConnection,
  frame: DataFrame,
  options: WriteTimeseriesOptions = {},
): Promise<WriteResult> {
  checkWriteCall("writeTimeseries", connection, frame, options);
  const settings = resolveWriteOptions(options, { ifExists: "append" });
  const policy = options.duplicatePolicy ?? "LAST";
  if (!DUPLICATE_POLICIES.includes(policy)) {
    throw new InvalidArgumentError(
      "duplicatePolicy",
      `must be one of ${DUPLICATE_POLICIES.join(", ")}, got ${String(policy)}`,
    );
  }
  const retention = options.retentionMs;
  if (retention !== undefined && (!Number.isInteger(retention) || retention < 0)) {
    throw new InvalidArgumentError("retentionMs", `must be an integer >= 0, got ${String(retention)}`);
  }
  const { keys } = resolveKeys(frame, options);
  const ttlOf = resolveTtls(frame, options);
  const timestamps = sampleTimes(frame, options.timestampColumn ?? "_ts");
  const values = sampleValues(frame, options.valueColumn ?? "value");
  const labelsOf = labelReader(frame, options);

  const units: SeriesUnit[] = [];
  const skippedKeys: string[] = [];
  for (const [key, rows] of groupRowsByKey(keys)) {
    const samples: RedisArgument[][] = [];
    let part: RedisArgument[] = [];
    for (const row of rows) {
      const timestamp = timestamps[row];
      const value = values[row];
      if (timestamp == null || value == null) continue;
      if (part.length + 2 > ARGS_PER_CALL) {
        samples.push(part);
        part = [];
      }
      part.push(timestamp, value);
    }
    if (part.length > 0) samples.push(part);
    if (samples.length === 0) {
      skippedKeys.push(key);
      continue;
    }
    const labels = labelsOf(key, rows);
    const create: RedisArgument[] = ["DUPLICATE_POLICY", policy];
    if (retention !== undefined) create.push("RETENTION", retention);
    if (labels.length > 0) create.push("LABELS", ...labels);
    // Script layout per part: label count, labels (first part only), then samples.
    const parts = samples.map((chunk, index) =>
      index === 0 ? [labels.length, ...labels, ...chunk] : [0, ...chunk],
    );
    units.push(new SeriesUnit(key, consistentTtl(key, rows, ttlOf), parts, create, samples));
  }

  const plan: WritePlan<SeriesUnit> =
    settings.ifExists === "append"
      ? new TimeseriesAppendPlan()
      : new ScriptPlan({
          script: TIMESERIES_SCRIPT,
          mode: settings.ifExists,
          header: [retention ?? "", policy],
          command: "TS.MADD",
          description: `TS.CREATE + TS.MADD (time series, ${settings.ifExists})`,
          idempotent: true,
        });
  // After every check of the input: a server without the module fails once, before any key is sent.
  if (units.length > 0) await requireModule(connection, "TS.MADD");
  return executeWrite(connection, plan, units, { ...settings, skippedKeys });
}

/**
 * Appends with plain commands: TS.CREATE (an existing series answers "key already exists", which is fine),
 * then TS.MADD per part, then PEXPIRE. Idempotent under the series' LAST policy.
 */
class TimeseriesAppendPlan implements WritePlan<SeriesUnit> {
  readonly description = "TS.MADD (time series, append)";
  readonly idempotent = true;

  async send(connection: RedisConnection, units: readonly SeriesUnit[]): Promise<KeyStatus[]> {
    const commands: Command[] = [];
    const ranges: [number, number][] = [];
    for (const unit of units) {
      const from = commands.length;
      commands.push(["TS.CREATE", unit.key, ...unit.create]);
      for (const part of unit.samples) {
        const madd: RedisArgument[] = ["TS.MADD"];
        for (let i = 0; i < part.length; i += 2) madd.push(unit.key, part[i]!, part[i + 1]!);
        commands.push(madd as unknown as Command);
      }
      if (unit.ttl > 0) commands.push(["PEXPIRE", unit.key, unit.ttl]);
      ranges.push([from, commands.length]);
    }
    const replies = await connection.batch(commands);
    return ranges.map(([from, to]) => appendStatus(replies, from, to));
  }
}

function appendStatus(replies: readonly BatchReply[], from: number, to: number): KeyStatus {
  const created = replies[from]!;
  if (isCommandError(created) && !created.message.includes("already exists")) return created;
  for (let index = from + 1; index < to; index++) {
    const reply = replies[index]!;
    if (isCommandError(reply)) return reply;
    if (Array.isArray(reply)) {
      // TS.MADD answers per sample: its timestamp, or an error for that sample alone.
      const failed = reply.find((sample): sample is never => (sample as unknown) instanceof Error) as
        | Error
        | undefined;
      if (failed)
        return new RedisCommandError({ message: failed.message, command: "TS.MADD", cause: failed });
    }
  }
  return "written";
}

function sampleTimes(frame: DataFrame, column: string): (number | null)[] {
  let series = requireColumn(frame, column, "timestampColumn");
  const variant = series.dtype.variant;
  if (variant === "Datetime" || variant === "Date") series = series.cast(pl.Datetime("ms")).cast(pl.Int64);
  else if (!isIntegerDtype(series)) {
    throw new InvalidArgumentError(
      "timestampColumn",
      `column ${JSON.stringify(column)} must be a Datetime, a Date or integer epoch milliseconds, not ${String(series.dtype)}`,
    );
  }
  const times = series.toArray() as (number | bigint | null)[];
  return times.map((time, row) => {
    if (time == null) return null;
    const ms = Number(time);
    if (ms < 0) {
      throw new InvalidArgumentError(
        "timestampColumn",
        `row ${row}: ${ms} is before 1970, which a time series cannot hold`,
      );
    }
    return ms;
  });
}

function sampleValues(frame: DataFrame, column: string): (string | null)[] {
  const values = formatColumn(requireNumericColumn(frame, column, "valueColumn"), "valueColumn");
  const bad = values.findIndex((value) => value != null && !Number.isFinite(Number(value)));
  if (bad >= 0) {
    throw new InvalidArgumentError(
      "valueColumn",
      `row ${bad} of ${JSON.stringify(column)} is ${values[bad]}; time series take finite numbers only`,
    );
  }
  return values;
}

/** Labels per key: the fixed `labels`, then `labelColumns` (rows of a key must agree). */
function labelReader(
  frame: DataFrame,
  options: WriteTimeseriesOptions,
): (key: string, rows: readonly number[]) => string[] {
  const fixed: string[] = [];
  for (const [name, value] of Object.entries(options.labels ?? {})) {
    if (typeof value !== "string")
      throw new InvalidArgumentError(`labels.${name}`, "label values must be strings");
    fixed.push(name, value);
  }
  const columns = (options.labelColumns ?? []).map(
    (name) => [name, formatColumn(requireColumn(frame, name, "labelColumns"), "labelColumns")] as const,
  );
  return (key, rows) => {
    const labels = [...fixed];
    for (const [name, values] of columns) {
      const value = values[rows[0]!];
      if (rows.some((row) => values[row] !== value)) {
        throw new InvalidArgumentError(
          "labelColumns",
          `rows of key ${JSON.stringify(key)} disagree on label ${JSON.stringify(name)}`,
        );
      }
      if (value != null) labels.push(name, value);
    }
    return labels;
  };
}
