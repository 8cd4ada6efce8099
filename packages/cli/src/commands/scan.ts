import type { CommandSpec } from "../command.js";
import { DATA_TYPES } from "../key-types.js";
import { FORMATS } from "../output/formats.js";

/** Rows a terminal table shows when no --limit is given. */
export const TABLE_ROWS = 20;

export const scanCommand: CommandSpec = {
  name: "scan",
  summary: "Read keys of one type into a table, CSV, NDJSON, Parquet or Arrow IPC",
  synopsis: "<type> <pattern> [options]",
  description: `<type> is one of ${DATA_TYPES.join(", ")}. <pattern> is a SCAN MATCH pattern ("user:*"); only keys
of that type are read. Hashes and JSON documents get a schema inferred from a sample unless --schema FILE
(written by "polars-redis infer -o FILE") is given. --where filters each batch with a SQL predicate over the
output columns (_key, the fields, ...); --limit counts rows after it. The default format is "table" on a
terminal (first ${TABLE_ROWS} rows unless --limit) and "csv" in a pipe; -o FILE picks the format from its extension.
A file is written under a temporary name and renamed when complete: Ctrl-C leaves no partial file.`,
  options: {
    schema: {
      type: "string",
      value: "auto|FILE",
      help: "hash/json/stream: the schema (default auto: inferred)",
    },
    columns: {
      type: "string",
      value: "a,b",
      help: "output only these fields (hash/json/stream/timeseries: only these are read)",
    },
    where: {
      type: "string",
      value: "SQL",
      help: `keep rows matching a SQL predicate, e.g. "age > 30 AND city = 'Oslo'"`,
    },
    limit: { type: "string", value: "N", help: "stop after N rows (counted after --where)" },
    format: {
      type: "string",
      value: "FMT",
      help: `${FORMATS.join("|")} (default: from -o, else table on a terminal, csv in a pipe)`,
    },
    output: { type: "string", short: "o", value: "FILE", help: "write to FILE instead of stdout" },
    dtype: {
      type: "string",
      value: "DTYPE",
      help: "string/set/list/zset: dtype of the value/member/element [utf8]",
    },
    "with-ttl": { type: "boolean", help: "add the _ttl column (milliseconds; null without expiry)" },
    "sample-size": { type: "string", value: "N", help: "keys sampled to infer a schema [100]" },
    "batch-size": { type: "string", value: "N", help: "keys per round trip [1000; 100 for streams]" },
    "on-error": {
      type: "string",
      value: "raise|null",
      help: "a value that does not fit its dtype: fail (exit 6) or null it [raise]",
    },
    start: {
      type: "string",
      value: "ID|MS",
      help: "stream: first entry id; timeseries: first timestamp (ms or ISO)",
    },
    end: { type: "string", value: "ID|MS", help: "stream: last entry id; timeseries: last timestamp" },
    labels: { type: "string", value: "a,b", help: "timeseries: labels to add as columns" },
  },
  examples: [
    `polars-redis scan hash "user:*" --limit 5`,
    `polars-redis scan hash "user:*" --where "age >= 30 AND city = 'Oslo'" --columns name,age,city`,
    `polars-redis scan hash "user:*" --schema users.schema.json -o users.parquet`,
    `polars-redis scan stream "orders:*" --start 1700000000000 --format ndjson | jq .`,
    `polars-redis scan zset "leaderboard:*" --format csv --with-ttl > scores.csv`,
  ],
  connects: true,
  json: false,
  positionals: { min: 2, max: 2 },
  async run(context) {
    return (await import("./scan-run.js")).runScan(context);
  },
};
