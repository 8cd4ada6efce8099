import type { RedisKeyType } from "@polars-redis/core";
import { usageError } from "./cli-error.js";

/** The eight data types, as the CLI names them. */
export const DATA_TYPES = ["hash", "json", "string", "set", "list", "zset", "stream", "timeseries"] as const;
export type DataType = (typeof DATA_TYPES)[number];

const ALIASES: Readonly<Record<string, DataType>> = {
  hash: "hash",
  hashes: "hash",
  json: "json",
  string: "string",
  strings: "string",
  set: "set",
  sets: "set",
  list: "list",
  lists: "list",
  zset: "zset",
  zsets: "zset",
  "sorted-set": "zset",
  stream: "stream",
  streams: "stream",
  timeseries: "timeseries",
  ts: "timeseries",
};

/** The type named on the command line (singular or plural), or a usage error listing the types. */
export function parseDataType(word: string | undefined, allowed: readonly DataType[] = DATA_TYPES): DataType {
  const type = word === undefined ? undefined : ALIASES[word.toLowerCase()];
  if (type === undefined || !allowed.includes(type)) {
    throw usageError(`unknown type ${JSON.stringify(word)}: expected one of ${allowed.join(", ")}`);
  }
  return type;
}

/** The type SCAN ... TYPE uses for it. */
export function redisKeyType(type: DataType): RedisKeyType {
  return type === "json" ? "ReJSON-RL" : type === "timeseries" ? "TSDB-TYPE" : type;
}

/** For `--type` of the key commands: a CLI type name or Redis's own. */
export function parseKeyType(word: unknown): RedisKeyType | undefined {
  if (word === undefined) return undefined;
  if (word === "ReJSON-RL" || word === "TSDB-TYPE") return word;
  return redisKeyType(parseDataType(String(word)));
}

/** Types whose projection core applies (`columns`); the others are projected by the CLI after the scan. */
export const CORE_PROJECTED: readonly DataType[] = ["hash", "json", "stream", "timeseries"];
/** Types that take a schema. */
export const SCHEMA_TYPES: readonly DataType[] = ["hash", "json", "stream"];
/** Types whose single value column takes --dtype. */
export const VALUE_TYPES: readonly DataType[] = ["string", "set", "list", "zset"];
