import { writeFile } from "node:fs/promises";
import { notFound } from "../cli-error.js";
import type { CommandSpec } from "../command.js";
import { ExitCode } from "../exit-codes.js";
import { parseDataType } from "../key-types.js";
import { renderRows } from "../output/text-table.js";
import { parseChoice, parseInteger, stringOption } from "../values.js";

export const inferCommand: CommandSpec = {
  name: "infer",
  summary: "Infer the schema of hashes or JSON documents, with a confidence per field",
  synopsis: "<hash|json> <pattern> [options]",
  description: `Samples keys matching <pattern> and proposes a dtype per field (Int64, Float64, Boolean, Date,
Datetime, Utf8), with a confidence from 0 to 1 (how sure the sample makes it; Utf8 fallbacks with a low score
deserve a look). -o FILE saves the schema as JSON; "polars-redis scan --schema FILE" reads it back, and you
may edit the dtypes in it first.`,
  options: {
    "sample-size": { type: "string", value: "N", help: "keys to sample [100]" },
    sampling: {
      type: "string",
      value: "first|reservoir",
      help: "the first keys SCAN finds, or a uniform sample of all [first]",
    },
    output: {
      type: "string",
      short: "o",
      value: "FILE",
      help: "save the schema to FILE (JSON) for scan --schema",
    },
  },
  examples: [
    `polars-redis infer hash "user:*"`,
    `polars-redis infer hash "user:*" --sample-size 1000 -o users.schema.json`,
    `polars-redis infer hash "user:*" --json | jq '.fields | to_entries[] | select(.value.confidence < 0.9)'`,
  ],
  connects: true,
  json: true,
  positionals: { min: 2, max: 2 },
  async run(context) {
    const { values, out } = context;
    const type = parseDataType(context.positionals[0], ["hash", "json"]);
    const pattern = context.positionals[1]!;
    const sampleSize = parseInteger(values["sample-size"], "--sample-size", { min: 1 }) ?? 100;
    const sampling = parseChoice(values.sampling, "--sampling", ["first", "reservoir"] as const) ?? "first";
    const path = stringOption(values.output);
    const connection = await context.connection();
    const { inferHashSchema, inferJsonSchema } = await import("@polars-redis/core");
    const { schemaFileOf } = await import("../schema-file.js");
    const infer = type === "hash" ? inferHashSchema : inferJsonSchema;
    const inferred = await infer(connection, { pattern, sampleSize, sampling, signal: context.signal });
    if (inferred.sampleCount === 0) throw notFound(`no ${type} keys match ${JSON.stringify(pattern)}`);
    const file = schemaFileOf(type, pattern, inferred);
    if (path !== undefined) {
      await writeFile(path, `${JSON.stringify(file, null, 2)}\n`);
      out.note(
        `schema saved to ${path} (use: polars-redis scan ${type} ${JSON.stringify(pattern)} --schema ${path})`,
      );
    }
    if (values.json === true) {
      await out.json({
        type,
        pattern,
        sampleCount: inferred.sampleCount,
        averageConfidence: round(inferred.averageConfidence),
        fields: Object.fromEntries(
          Object.entries(inferred.fields).map(([name, field]) => [
            name,
            {
              dtype: file.fields[name],
              type: field.type,
              confidence: round(field.confidence),
              present: field.present,
              nulls: field.nulls,
              reason: field.reason,
            },
          ]),
        ),
      });
      return ExitCode.OK;
    }
    await out.write(
      renderRows(
        ["field", "dtype", "confidence", "present", "nulls", "reason"],
        Object.entries(inferred.fields).map(([name, field]) => [
          name,
          field.type,
          field.confidence.toFixed(2),
          String(field.present),
          String(field.nulls),
          field.reason,
        ]),
      ),
    );
    await out.line(
      `${inferred.sampleCount} keys sampled, average confidence ${inferred.averageConfidence.toFixed(2)}`,
    );
    return ExitCode.OK;
  },
};

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
