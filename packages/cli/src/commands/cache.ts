import type { CacheInfo } from "@polars-redis/cache";
import { notFound, usageError } from "../cli-error.js";
import type { CommandSpec } from "../command.js";
import { ExitCode } from "../exit-codes.js";
import { formatBytes } from "../output/progress.js";
import { renderPairs, renderRows } from "../output/text-table.js";
import { plural, stringOption } from "../values.js";

/** Cache entries as the cache package describes them (CacheInfo), JSON-ready. */
function entryJson(info: CacheInfo) {
  return { ...info, created: info.created.toISOString() };
}

export const cacheLsCommand: CommandSpec = {
  name: "cache ls",
  summary: "List the DataFrames cached with @polars-redis/cache: format, rows, size, age, TTL",
  synopsis: "[pattern] [--prefix P] [options]",
  description: `Lists cache entries (cacheDataFrame / cached()) whose key matches the SCAN pattern (default "*") or
starts with --prefix. Other keys are skipped, whatever their type.`,
  options: {
    prefix: {
      type: "string",
      value: "P",
      help: "entries whose key starts with P (glob characters matched literally)",
    },
  },
  examples: [
    "polars-redis cache ls",
    `polars-redis cache ls --prefix "reports:"`,
    "polars-redis cache ls --json | jq '.[].bytes'",
  ],
  connects: true,
  json: true,
  positionals: { min: 0, max: 1 },
  async run(context) {
    const prefix = stringOption(context.values.prefix);
    const pattern = context.positionals[0];
    if (prefix !== undefined && pattern !== undefined)
      throw usageError("give a pattern or --prefix, not both");
    const connection = await context.connection();
    const { listCached } = await import("@polars-redis/cache");
    const entries: CacheInfo[] = [];
    for await (const info of listCached(connection, {
      signal: context.signal,
      ...(prefix === undefined ? {} : { prefix }),
      ...(pattern === undefined ? {} : { pattern }),
    })) {
      entries.push(info);
    }
    entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    if (context.values.json === true) {
      await context.out.json(entries.map(entryJson));
      return ExitCode.OK;
    }
    if (entries.length === 0) {
      await context.out.line("no cache entries");
      return ExitCode.OK;
    }
    await context.out.write(
      renderRows(
        ["key", "format", "compression", "rows", "columns", "size", "chunks", "created", "ttl"],
        entries.map((info) => [
          info.key,
          info.format,
          info.compression,
          String(info.rows),
          String(Object.keys(info.schema).length),
          formatBytes(info.bytes),
          String(info.chunks),
          info.created.toISOString(),
          info.ttl === null ? "-" : `${Math.round(info.ttl)} s`,
        ]),
      ),
    );
    await context.out.line(plural(entries.length, "entry", "entries"));
    return ExitCode.OK;
  },
};

export const cacheInfoCommand: CommandSpec = {
  name: "cache info",
  summary: "One cache entry: format, compression, size, chunks, rows, schema, created, TTL",
  synopsis: "<key> [options]",
  options: {},
  examples: [
    "polars-redis cache info reports:daily",
    "polars-redis cache info reports:daily --json | jq .schema",
  ],
  connects: true,
  json: true,
  positionals: { min: 1, max: 1 },
  async run(context) {
    const key = context.positionals[0]!;
    const connection = await context.connection();
    const { cacheInfo } = await import("@polars-redis/cache");
    const info = await cacheInfo(connection, key);
    if (info === null) throw notFound(`no cache entry ${JSON.stringify(key)}`);
    if (context.values.json === true) {
      await context.out.json(entryJson(info));
      return ExitCode.OK;
    }
    await context.out.write(
      renderPairs([
        ["key", info.key],
        ["format", `${info.format} (${info.compression})`],
        ["rows", String(info.rows)],
        [
          "size",
          info.chunks === 0
            ? `${formatBytes(info.bytes)} inline (in the entry's head)`
            : `${formatBytes(info.bytes)} in ${plural(info.chunks, "chunk")} of up to ${formatBytes(info.chunkBytes)}`,
        ],
        ["created", info.created.toISOString()],
        ["ttl", info.ttl === null ? "none" : `${Math.round(info.ttl)} s`],
        ["generation", info.generation],
        ...Object.entries(info.schema).map(
          ([name, dtype], index) => [index === 0 ? "schema" : "", `${name}: ${dtype}`] as [string, string],
        ),
      ]),
    );
    return ExitCode.OK;
  },
};

export const cacheRmCommand: CommandSpec = {
  name: "cache rm",
  summary: "Delete cache entries (head and chunks, atomically)",
  synopsis: "<key>... [options]",
  options: {},
  examples: [
    "polars-redis cache rm reports:daily",
    "polars-redis cache rm reports:daily reports:weekly --json",
  ],
  connects: true,
  json: true,
  positionals: { min: 1, max: 100 },
  async run(context) {
    const connection = await context.connection();
    const { deleteCached } = await import("@polars-redis/cache");
    const deleted: string[] = [];
    const missing: string[] = [];
    for (const key of context.positionals)
      ((await deleteCached(connection, key)) ? deleted : missing).push(key);
    if (context.values.json === true) await context.out.json({ deleted, missing });
    else {
      for (const key of deleted) await context.out.line(`deleted ${key}`);
      for (const key of missing) await context.out.line(`no cache entry ${key}`);
    }
    return missing.length > 0 ? ExitCode.NOT_FOUND : ExitCode.OK;
  },
};
