import type { DataFrame } from "nodejs-polars";
import { notFound, usageError } from "../cli-error.js";
import type { CommandContext } from "../command.js";
import { ExitCode, type ExitCodeValue } from "../exit-codes.js";
import { CORE_PROJECTED, parseDataType, SCHEMA_TYPES, VALUE_TYPES } from "../key-types.js";
import { FORMATS, type Format, formatOfPath } from "../output/formats.js";
import { FrameSink } from "../output/frame-sink.js";
import { formatBytes, formatSeconds } from "../output/progress.js";
import { readSchemaFile } from "../schema-file.js";
import { parseChoice, parseInteger, parseList, plural, stringOption } from "../values.js";
import { SqlFilter } from "../where.js";
import { TABLE_ROWS } from "./scan.js";
import { openScan, resolveScanSchema, type ScanRequest } from "./scan-source.js";

/** `polars-redis scan` (loaded only when the command runs, so --help stays fast). */
export async function runScan(context: CommandContext): Promise<ExitCodeValue> {
  const { values, out, progress, signal } = context;
  const type = parseDataType(context.positionals[0]);
  const pattern = context.positionals[1]!;
  const path = stringOption(values.output);
  const format: Format =
    parseChoice(values.format, "--format", FORMATS) ??
    (path !== undefined ? formatOfPath(path) : undefined) ??
    (path !== undefined ? failFormat(path) : out.stdoutIsTerminal ? "table" : "csv");
  const where = values.where === undefined ? undefined : new SqlFilter(String(values.where));
  const limitOption = parseInteger(values.limit, "--limit", { min: 0 });
  const limit = limitOption ?? (format === "table" ? TABLE_ROWS : undefined);
  const columns = parseList(values.columns, "--columns");
  const schemaOption = stringOption(values.schema);
  if (schemaOption !== undefined && !SCHEMA_TYPES.includes(type)) {
    throw usageError(`--schema applies to ${SCHEMA_TYPES.join(", ")} scans, not ${type}`);
  }
  if (values.dtype !== undefined && !VALUE_TYPES.includes(type)) {
    throw usageError(`--dtype applies to ${VALUE_TYPES.join(", ")} scans; use --schema for ${type}`);
  }
  if (values.labels !== undefined && type !== "timeseries")
    throw usageError("--labels applies to timeseries scans");
  if (
    (values.start !== undefined || values.end !== undefined) &&
    type !== "stream" &&
    type !== "timeseries"
  ) {
    throw usageError("--start and --end apply to stream and timeseries scans");
  }
  const schema =
    schemaOption === undefined || schemaOption === "auto"
      ? type === "hash" || type === "json"
        ? ("auto" as const)
        : undefined
      : await readSchemaFile(schemaOption);
  const request: ScanRequest = {
    type,
    pattern,
    schema,
    columns: CORE_PROJECTED.includes(type) ? columns : undefined,
    dtype: stringOption(values.dtype),
    // With --where the CLI filters, so it also counts the limit; otherwise core stops at it.
    limit: where === undefined ? limit : undefined,
    includeTtl: values["with-ttl"] === true,
    batchSize: parseInteger(values["batch-size"], "--batch-size", { min: 1 }),
    onError: parseChoice(values["on-error"], "--on-error", ["raise", "null"] as const),
    start: stringOption(values.start),
    end: stringOption(values.end),
    labels: parseList(values.labels, "--labels"),
    sampleSize: parseInteger(values["sample-size"], "--sample-size", { min: 1 }),
    signal,
    onProgress: (figures) =>
      progress.update({
        label: "scan",
        done: figures.keysScanned,
        unit: "keys",
        extra: `${figures.rows} rows, ${formatBytes(figures.bytes)}, ${formatSeconds(figures.elapsedMs)}`,
      }),
  };
  const sink = new FrameSink(format, out, path);
  let rows = 0;
  try {
    const connection = await context.connection();
    const resolved = await resolveScanSchema(connection, request, out);
    if (resolved === "empty") throw notFound(`no ${type} keys match ${JSON.stringify(pattern)}`);
    const scan = openScan(connection, request, resolved);
    const postColumns = CORE_PROJECTED.includes(type) ? undefined : columns;
    for await (const batch of scan) {
      let frame: DataFrame = batch;
      if (where !== undefined) frame = where.apply(frame);
      if (postColumns !== undefined) frame = project(frame, postColumns);
      if (limit !== undefined && where !== undefined && rows + frame.height > limit) {
        frame = frame.head(limit - rows);
      }
      rows += frame.height;
      await sink.write(frame);
      if (out.closed) break; // the reader of stdout went away (| head)
      if (limit !== undefined && rows >= limit) break;
    }
    const report = scan.report;
    if (report.keysScanned === 0) throw notFound(`no ${type} keys match ${JSON.stringify(pattern)}`);
    await sink.finish();
    progress.finish();
    const coerced = Object.entries(report.coercedToNull);
    out.note(
      `${plural(rows, "row")} from ${plural(report.keysScanned, "key")} in ${formatSeconds(report.elapsedMs)}${
        limit !== undefined && rows >= limit && limitOption === undefined
          ? ` (first ${limit} shown; use --limit N or --format csv for more)`
          : ""
      }${path === undefined ? "" : `, written to ${path}`}${
        coerced.length > 0
          ? `; values that did not fit and became null: ${coerced.map(([field, count]) => `${field} ${count}`).join(", ")}`
          : ""
      }`,
    );
    return ExitCode.OK;
  } catch (error) {
    progress.finish();
    await sink.abort();
    throw error;
  }
}

function failFormat(path: string): never {
  throw usageError(
    `cannot tell the format of ${JSON.stringify(path)} from its extension: add --format ${FORMATS.filter((f) => f !== "table").join("|")}`,
  );
}

/** --columns for types core does not project: _key (when present) and the named columns, in that order. */
function project(frame: DataFrame, columns: readonly string[]): DataFrame {
  const missing = columns.filter((name) => !frame.columns.includes(name));
  if (missing.length > 0) {
    throw usageError(
      `--columns: no column ${missing.join(", ")}; the columns are: ${frame.columns.join(", ")}`,
    );
  }
  const keep =
    frame.columns.includes("_key") && !columns.includes("_key") ? ["_key", ...columns] : [...columns];
  return frame.select(...keep);
}
