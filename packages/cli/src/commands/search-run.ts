import { notFound, usageError } from "../cli-error.js";
import type { CommandContext } from "../command.js";
import { ExitCode, type ExitCodeValue } from "../exit-codes.js";
import { FORMATS, type Format, formatOfPath } from "../output/formats.js";
import { FrameSink } from "../output/frame-sink.js";
import { readSchemaFile } from "../schema-file.js";
import { parseChoice, parseInteger, parseList, plural, stringOption } from "../values.js";

/** `polars-redis search query` (loaded only when it runs). */
export async function runSearchQuery(context: CommandContext): Promise<ExitCodeValue> {
  const { values, out } = context;
  const [index, query] = context.positionals as [string, string];
  const path = stringOption(values.output);
  const format: Format =
    parseChoice(values.format, "--format", FORMATS) ??
    (path === undefined ? (out.stdoutIsTerminal ? "table" : "csv") : formatOfPath(path)) ??
    (() => {
      throw usageError(`cannot tell the format of ${JSON.stringify(path)} from its extension: add --format`);
    })();
  const limit = parseInteger(values.limit, "--limit", { min: 0 });
  const batchSize = parseInteger(values["batch-size"], "--batch-size", { min: 1 });
  const columns = parseList(values.columns, "--columns");
  const schemaPath = stringOption(values.schema);
  const schema = schemaPath === undefined ? undefined : await readSchemaFile(schemaPath);
  const sortBy = stringOption(values["sort-by"]);
  const sort =
    sortBy === undefined
      ? undefined
      : { field: sortBy.replace(/:(asc|desc)$/, ""), descending: sortBy.endsWith(":desc") };
  const sink = new FrameSink(format, out, path);
  const connection = await context.connection();
  const { indexInfo, scanSearch } = await import("@polars-redis/search");
  let rows = 0;
  try {
    if ((await indexInfo(connection, index)) === undefined)
      throw notFound(`no index ${JSON.stringify(index)}`);
    for await (const frame of scanSearch(connection, {
      index,
      query,
      signal: context.signal,
      includeScore: values["with-score"] === true,
      ...(schema === undefined ? {} : { schema }),
      ...(columns === undefined ? {} : { columns }),
      ...(limit === undefined ? {} : { limit }),
      ...(batchSize === undefined ? {} : { batchSize }),
      ...(sort === undefined ? {} : { sortBy: sort }),
    })) {
      rows += frame.height;
      await sink.write(frame);
      context.progress.update({ label: "search", done: rows, unit: "documents" });
      if (out.closed) break;
    }
    await sink.finish();
    context.progress.finish();
    out.note(`${plural(rows, "document")}${path === undefined ? "" : `, written to ${path}`}`);
    return ExitCode.OK;
  } catch (error) {
    context.progress.finish();
    await sink.abort();
    throw error;
  }
}
