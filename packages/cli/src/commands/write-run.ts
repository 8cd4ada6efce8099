import { readFile } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";
import type { RedisConnection, WriteResult } from "@polars-redis/core";
import {
  type IfExists,
  WriteAbortedError,
  type WriteOptions,
  writeHashes,
  writeJson,
  writeLists,
  writeSets,
  writeStreams,
  writeStrings,
  writeTimeseries,
  writeZsets,
} from "@polars-redis/writer";
import pl, { type DataFrame } from "nodejs-polars";
import { usageError } from "../cli-error.js";
import type { CommandContext } from "../command.js";
import { ExitCode, type ExitCodeValue } from "../exit-codes.js";
import { DATA_TYPES, type DataType, parseDataType } from "../key-types.js";
import { formatOfPath } from "../output/formats.js";
import { FrameSink } from "../output/frame-sink.js";
import { formatSeconds } from "../output/progress.js";
import { renderRows } from "../output/text-table.js";
import { parseChoice, parseInteger, parseList, plural, stringOption } from "../values.js";
import { INPUT_FORMATS } from "./write.js";

type InputFormat = (typeof INPUT_FORMATS)[number];

/** `polars-redis write` (loaded only when the command runs). */
export async function runWrite(context: CommandContext): Promise<ExitCodeValue> {
  const { values, out, progress, signal } = context;
  const type = parseDataType(context.positionals[0]);
  const from = stringOption(values.from);
  if (from === undefined) throw usageError("--from FILE is required", "see polars-redis write --help");
  const inputFormat =
    parseChoice(values["input-format"], "--input-format", INPUT_FORMATS) ?? inputFormatOf(from);
  const ifExists = parseChoice(values["if-exists"], "--if-exists", ["replace", "append", "fail"] as const);
  const ttl = parseInteger(values.ttl, "--ttl", { min: 1 });
  const batchSize = parseInteger(values["batch-size"], "--batch-size", { min: 1 });
  const keyColumn = stringOption(values["key-column"]) ?? "_key";
  const keyPrefix = stringOption(values["key-prefix"]) ?? "";
  const stream = stringOption(values.stream);
  if (stream !== undefined && type !== "stream") throw usageError("--stream applies to stream writes");
  const retryPath = stringOption(values["retry-file"]) ?? defaultRetryPath(from);
  const frame = await readInput(from, inputFormat);
  if (stream === undefined && !frame.columns.includes(keyColumn)) {
    throw usageError(
      `${from} has no key column ${JSON.stringify(keyColumn)}; its columns are: ${frame.columns.join(", ")}`,
      "name the key column with --key-column",
    );
  }
  const options: WriteOptions & Record<string, unknown> = {
    keyColumn,
    keyPrefix,
    keepWrittenKeys: true,
    signal,
    onProgress: (figures) =>
      progress.update({
        label: figures.attempt > 1 ? `write (retry ${figures.attempt - 1})` : "write",
        done: figures.written + figures.failed + figures.skipped,
        total: figures.total,
        unit: "keys",
        extra: `${figures.failed} failed, ${formatSeconds(figures.elapsedMs)}`,
      }),
    ...(ifExists === undefined ? {} : { ifExists: ifExists as IfExists }),
    ...(ttl === undefined ? {} : { ttl }),
    ...(batchSize === undefined ? {} : { batchSize }),
    ...typeOptions(type, values),
  };
  const connection = await context.connection();
  const started = performance.now();
  let result: WriteResult;
  let interrupted = false;
  try {
    result = await writerFor(type)(connection, frame, options as never);
  } catch (error) {
    if (!WriteAbortedError.isInstance(error)) throw error;
    result = error.result;
    interrupted = true;
  } finally {
    progress.finish();
  }
  const elapsedMs = performance.now() - started;
  const retry = retryRows(frame, result, { keyColumn, keyPrefix, stream });
  let retryFile: string | undefined;
  if (retry.height > 0) {
    const sink = new FrameSink(inputFormat, out, retryPath);
    await sink.write(retry);
    await sink.finish();
    retryFile = retryPath;
  }
  const summary = summarise(result, retry.height, retryFile, elapsedMs, interrupted);
  if (values.json === true) await out.json(summary);
  else await printSummary(out, summary);
  if (interrupted) return ExitCode.INTERRUPTED;
  return result.isCompleteSuccess() && retry.height === 0 ? ExitCode.OK : ExitCode.PARTIAL;
}

type Writer = (connection: RedisConnection, frame: DataFrame, options: never) => Promise<WriteResult>;

function writerFor(type: DataType): Writer {
  const writers: Record<DataType, Writer> = {
    hash: writeHashes as Writer,
    json: writeJson as Writer,
    string: writeStrings as Writer,
    set: writeSets as Writer,
    list: writeLists as Writer,
    zset: writeZsets as Writer,
    stream: writeStreams as Writer,
    timeseries: writeTimeseries as Writer,
  };
  return writers[type];
}

function typeOptions(type: DataType, values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const pick = (option: string, name: string, types: readonly DataType[]): Record<string, unknown> => {
    const value = values[option];
    if (value === undefined) return {};
    if (!types.includes(type)) throw usageError(`--${option} applies to ${types.join(", ")} writes`);
    return { [name]: value };
  };
  const labelColumns = parseList(values["label-columns"], "--label-columns");
  if (labelColumns !== undefined && type !== "timeseries")
    throw usageError("--label-columns applies to timeseries writes");
  return {
    ...pick("value-column", "valueColumn", ["string", "timeseries"]),
    ...pick("member-column", "memberColumn", ["set", "zset"]),
    ...pick("score-column", "scoreColumn", ["zset"]),
    ...pick("element-column", "elementColumn", ["list"]),
    ...pick("index-column", "indexColumn", ["list"]),
    ...pick("timestamp-column", "timestampColumn", ["timeseries"]),
    ...pick("stream", "stream", ["stream"]),
    ...pick("id-column", "idColumn", ["stream"]),
    ...pick("ttl-column", "ttlColumn", [...DATA_TYPES]),
    ...(labelColumns === undefined ? {} : { labelColumns }),
  };
}

function inputFormatOf(path: string): InputFormat {
  const format = formatOfPath(path);
  if (format === undefined || format === "table") {
    throw usageError(
      `cannot tell the format of ${JSON.stringify(path)} from its extension: add --input-format ${INPUT_FORMATS.join("|")}`,
    );
  }
  return format;
}

async function readInput(path: string, format: InputFormat): Promise<DataFrame> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw usageError(`cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    switch (format) {
      case "csv":
        return pl.readCSV(bytes, { inferSchemaLength: 10_000 });
      case "ndjson":
        return pl.readJSON(bytes, { format: "lines" });
      case "parquet":
        return pl.readParquet(bytes);
      case "ipc":
        try {
          return pl.readIPC(bytes);
        } catch {
          return pl.readIPCStream(bytes);
        }
    }
  } catch (error) {
    throw usageError(`cannot read ${path} as ${format}: ${(error as Error).message.split("\n")[0]}`);
  }
}

/** users.csv → users.failed.csv, beside the input. */
function defaultRetryPath(from: string): string {
  const extension = extname(from);
  return join(dirname(from), `${basename(from, extension)}.failed${extension}`);
}

/**
 * The input rows to send again: every row whose key was neither confirmed written nor skipped on purpose. That
 * covers keys that failed and, after an interrupt, keys never sent or sent without a confirmation.
 */
function retryRows(
  frame: DataFrame,
  result: WriteResult,
  keys: { keyColumn: string; keyPrefix: string; stream: string | undefined },
): DataFrame {
  const done = new Set([...(result.writtenKeys ?? []), ...result.skippedKeys]);
  if (keys.stream !== undefined) return done.has(keys.stream) ? frame.head(0) : frame;
  const column = frame.getColumn(keys.keyColumn).cast(pl.Utf8).toArray() as (string | null)[];
  const mask = column.map((key) => key !== null && !done.has(keys.keyPrefix + key));
  return frame.filter(pl.Series("retry", mask, pl.Bool));
}

interface WriteSummary {
  written: number;
  skipped: number;
  failed: number;
  interrupted: boolean;
  elapsedMs: number;
  /** Failed keys by error code, each with a sample of keys and the first message. */
  errors: { code: string; keys: number; sample: string[]; message: string }[];
  failedKeys: string[];
  retryRows: number;
  retryFile: string | null;
}

function summarise(
  result: WriteResult,
  retryCount: number,
  retryFile: string | undefined,
  elapsedMs: number,
  interrupted: boolean,
): WriteSummary {
  const byCode = new Map<string, { keys: number; sample: string[]; message: string }>();
  for (const [key, error] of result.errors) {
    const code = codeOf(error);
    const entry = byCode.get(code) ?? { keys: 0, sample: [], message: error.message };
    entry.keys++;
    if (entry.sample.length < 5) entry.sample.push(key);
    byCode.set(code, entry);
  }
  return {
    written: result.written,
    skipped: result.skipped,
    failed: result.failed,
    interrupted,
    elapsedMs: Math.round(elapsedMs),
    errors: [...byCode].map(([code, entry]) => ({ code, ...entry })),
    failedKeys: result.failedKeys(),
    retryRows: retryCount,
    retryFile: retryFile ?? null,
  };
}

function codeOf(error: unknown): string {
  const e = error as { redisCode?: unknown; code?: unknown; name?: string };
  if (typeof e.redisCode === "string" && e.redisCode !== "") return e.redisCode;
  if (typeof e.code === "string") return e.code;
  return e.name ?? "ERROR";
}

async function printSummary(
  out: { write(text: string): Promise<void>; line(text?: string): Promise<void> },
  summary: WriteSummary,
): Promise<void> {
  await out.line(
    `${summary.interrupted ? "interrupted: " : ""}${plural(summary.written, "key")} written, ${summary.skipped} skipped, ${summary.failed} failed in ${formatSeconds(summary.elapsedMs)}`,
  );
  if (summary.errors.length > 0) {
    await out.write(
      renderRows(
        ["error", "keys", "e.g.", "message"],
        summary.errors.map((entry) => [
          entry.code,
          String(entry.keys),
          entry.sample.join(" "),
          entry.message,
        ]),
      ),
    );
  }
  if (summary.retryFile !== null) {
    await out.line(`${plural(summary.retryRows, "row")} to retry saved to ${summary.retryFile}`);
  }
}
