import type { CommandSpec } from "../command.js";
import { DATA_TYPES } from "../key-types.js";

export const INPUT_FORMATS = ["csv", "parquet", "ipc", "ndjson"] as const;

export const writeCommand: CommandSpec = {
  name: "write",
  summary: "Write rows of a CSV, Parquet, Arrow IPC or NDJSON file to Redis, one key per row (or per group)",
  synopsis: "<type> --from FILE [options]",
  description: `<type> is one of ${DATA_TYPES.join(", ")}. Each row's key comes from --key-column (default _key, the
column "polars-redis scan" writes), so a scan's output writes back as it was. Prints how many keys were
written, skipped (--if-exists fail, or rows with only nulls) and failed, with each failure's Redis error.
The rows of keys that failed (or were not confirmed when interrupted) are saved to a retry file in the input's
format (--retry-file, default <input>.failed.<ext>): run the same command with --from that file to retry.
--if-exists replace (the default) replaces each key atomically: an interrupted write leaves every key either
as it was or fully written.`,
  options: {
    from: {
      type: "string",
      value: "FILE",
      help: "the input file (.csv, .parquet, .ipc/.arrow, .ndjson/.jsonl)",
    },
    "input-format": {
      type: "string",
      value: "FMT",
      help: `${INPUT_FORMATS.join("|")} when the extension does not say`,
    },
    "key-column": { type: "string", value: "C", help: "the column holding each row's key [_key]" },
    "key-prefix": { type: "string", value: "P", help: "prepended to every key" },
    "if-exists": {
      type: "string",
      value: "MODE",
      help: "replace|append|fail [replace; append for stream, timeseries]",
    },
    ttl: { type: "string", value: "SECONDS", help: "expire every written key after SECONDS" },
    "ttl-column": {
      type: "string",
      value: "C",
      help: "per-key expiry in milliseconds from column C (scan --with-ttl writes _ttl)",
    },
    "retry-file": {
      type: "string",
      value: "FILE",
      help: "where the rows of failed keys go [<input>.failed.<ext>]",
    },
    "batch-size": { type: "string", value: "N", help: "keys per round trip [1000]" },
    "value-column": { type: "string", value: "C", help: "string, timeseries: the value column [value]" },
    "member-column": { type: "string", value: "C", help: "set, zset: the member column [member]" },
    "score-column": { type: "string", value: "C", help: "zset: the score column [score]" },
    "element-column": { type: "string", value: "C", help: "list: the element column [element]" },
    "index-column": { type: "string", value: "C", help: "list: order elements by this column" },
    "timestamp-column": { type: "string", value: "C", help: "timeseries: the sample time column [_ts]" },
    "label-columns": { type: "string", value: "a,b", help: "timeseries: columns whose values become labels" },
    stream: { type: "string", value: "KEY", help: "stream: write every row to this stream" },
    "id-column": {
      type: "string",
      value: "C",
      help: "stream: explicit entry ids (replays are then detected)",
    },
  },
  examples: [
    "polars-redis write hash --from users.csv --key-column id --key-prefix user:",
    "polars-redis write hash --from users.parquet --if-exists fail --ttl 3600",
    "polars-redis write hash --from users.failed.csv --key-column id --key-prefix user:   # the retry",
    "polars-redis write zset --from scores.csv --member-column player --score-column points",
    "polars-redis write hash --from users.csv --key-column id --json | jq .failed",
  ],
  connects: true,
  json: true,
  positionals: { min: 1, max: 1 },
  async run(context) {
    return (await import("./write-run.js")).runWrite(context);
  },
};
