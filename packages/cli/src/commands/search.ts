import type { RedisConnection } from "@polars-redis/core";
import type { IndexInfo } from "@polars-redis/search";
import { CliError, notFound } from "../cli-error.js";
import type { CommandSpec } from "../command.js";
import { ExitCode } from "../exit-codes.js";
import { FORMATS } from "../output/formats.js";
import { renderPairs, renderRows } from "../output/text-table.js";

/** Every index name (FT._LIST); a clear error when the server has no RediSearch. */
async function indexNames(connection: RedisConnection): Promise<string[]> {
  try {
    const reply = (await connection.call("FT._LIST")) as unknown[];
    return reply.map((name) => (Buffer.isBuffer(name) ? name.toString("utf8") : String(name))).sort();
  } catch (error) {
    if (error instanceof Error && /unknown command/i.test(error.message)) {
      throw new CliError(ExitCode.REDIS_ERROR, "this server has no RediSearch module (FT._LIST is unknown)");
    }
    throw error;
  }
}

function indexJson(info: IndexInfo) {
  const { raw: _raw, ...rest } = info;
  return rest;
}

export const searchIndexesCommand: CommandSpec = {
  name: "search indexes",
  summary: "The RediSearch indexes: what they cover, documents, indexing state; one index's fields",
  synopsis: "[index] [options]",
  description: `Without an argument, one line per index (FT._LIST + FT.INFO). With an index name, its definition and
fields. On a cluster, RediSearch 2.6 keeps each index on one master: the indexes listed are the answering node's.`,
  options: {},
  examples: [
    "polars-redis search indexes",
    "polars-redis search indexes users-idx",
    "polars-redis search indexes --json | jq '.[].numDocs'",
  ],
  connects: true,
  json: true,
  positionals: { min: 0, max: 1 },
  async run(context) {
    const connection = await context.connection();
    const { indexInfo } = await import("@polars-redis/search");
    const name = context.positionals[0];
    if (name !== undefined) {
      const info = await indexInfo(connection, name);
      if (info === undefined) throw notFound(`no index ${JSON.stringify(name)}`);
      if (context.values.json === true) {
        await context.out.json(indexJson(info));
        return ExitCode.OK;
      }
      await context.out.write(
        renderPairs([
          ["index", info.name],
          ["on", `${info.on} keys with prefix ${info.prefixes.map((p) => JSON.stringify(p)).join(", ")}`],
          ["documents", String(info.numDocs)],
          ["indexing", info.indexing ? `yes, ${Math.round(info.percentIndexed * 100)} %` : "done"],
          ["failures", String(info.indexingFailures)],
          ["memory", `${info.totalIndexMemoryMb.toFixed(2)} MB`],
        ]),
      );
      await context.out.line();
      await context.out.write(
        renderRows(
          ["field", "alias", "type", "sortable"],
          info.fields.map((field) => [field.name, field.alias, field.type, field.sortable ? "yes" : "no"]),
        ),
      );
      return ExitCode.OK;
    }
    const infos: IndexInfo[] = [];
    for (const index of await indexNames(connection)) {
      const info = await indexInfo(connection, index);
      if (info !== undefined) infos.push(info);
    }
    if (context.values.json === true) {
      await context.out.json(infos.map(indexJson));
      return ExitCode.OK;
    }
    if (infos.length === 0) {
      await context.out.line("no indexes");
      return ExitCode.OK;
    }
    await context.out.write(
      renderRows(
        ["index", "on", "prefixes", "documents", "fields", "indexing", "failures"],
        infos.map((info) => [
          info.name,
          info.on,
          info.prefixes.join(" "),
          String(info.numDocs),
          String(info.fields.length),
          info.indexing ? `${Math.round(info.percentIndexed * 100)} %` : "done",
          String(info.indexingFailures),
        ]),
      ),
    );
    return ExitCode.OK;
  },
};

export const searchQueryCommand: CommandSpec = {
  name: "search query",
  summary: "Run a RediSearch query (FT.SEARCH, DIALECT 2) into a table, CSV, NDJSON, Parquet or IPC",
  synopsis: "<index> <query> [options]",
  description: `<query> is RediSearch syntax, e.g. "@city:{Oslo} @age:[30 +inf]" ("*" for every document). Results
are read page by page (--batch-size) and written like scan's: --format, -o FILE (written atomically), --limit.
Without --schema every returned field is Utf8; --schema FILE (from "polars-redis infer") types them.`,
  options: {
    columns: { type: "string", value: "a,b", help: "return only these fields" },
    schema: { type: "string", value: "FILE", help: "field → dtype file (polars-redis infer -o FILE)" },
    limit: { type: "string", value: "N", help: "at most N documents [all]" },
    "sort-by": { type: "string", value: "FIELD[:desc]", help: "sort by a SORTABLE field" },
    "with-score": { type: "boolean", help: "add the relevance score (_score)" },
    format: { type: "string", value: "FMT", help: `${FORMATS.join("|")} (default as for scan)` },
    output: { type: "string", short: "o", value: "FILE", help: "write to FILE instead of stdout" },
    "batch-size": { type: "string", value: "N", help: "documents per FT.SEARCH page [1000]" },
  },
  examples: [
    `polars-redis search query users-idx "@city:{Oslo}" --format table`,
    `polars-redis search query users-idx "@age:[30 +inf]" --columns name,age --sort-by age:desc --limit 10`,
    `polars-redis search query users-idx "*" -o users.parquet`,
  ],
  connects: true,
  json: false,
  positionals: { min: 2, max: 2 },
  async run(context) {
    return (await import("./search-run.js")).runSearchQuery(context);
  },
};

export const searchExplainCommand: CommandSpec = {
  name: "search explain",
  summary: "How RediSearch will execute a query (FT.EXPLAIN, DIALECT 2)",
  synopsis: "<index> <query> [options]",
  options: {},
  examples: [`polars-redis search explain users-idx "@city:{Oslo} @age:[30 +inf]"`],
  connects: true,
  json: true,
  positionals: { min: 2, max: 2 },
  async run(context) {
    const [index, query] = context.positionals as [string, string];
    const connection = await context.connection();
    const { explainQuery, indexInfo } = await import("@polars-redis/search");
    if ((await indexInfo(connection, index)) === undefined)
      throw notFound(`no index ${JSON.stringify(index)}`);
    const plan = await explainQuery(connection, index, query);
    if (context.values.json === true) await context.out.json({ index, query, plan });
    else await context.out.write(plan.endsWith("\n") ? plan : `${plan}\n`);
    return ExitCode.OK;
  },
};
