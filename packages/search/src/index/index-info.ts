import type { RedisConnection, RedisReply } from "@polars-redis/core";
import { ftCall } from "../internal/ft-call.js";
import { checkCall } from "../internal/option-names.js";
import type { IndexField, IndexFieldType } from "./fields.js";

/** One field as FT.INFO reports it. */
export interface IndexInfoField {
  /** The hash field (or JSONPath). */
  readonly name: string;
  /** The name queries use. */
  readonly alias: string;
  readonly type: IndexFieldType;
  readonly sortable: boolean;
  readonly noindex: boolean;
  readonly nostem: boolean;
  readonly caseSensitive: boolean;
  readonly weight: number | undefined;
  readonly separator: string | undefined;
}

/** FT.INFO, typed. */
export interface IndexInfo {
  /** The index's own name (an alias resolves to the index it points to). */
  readonly name: string;
  readonly on: "hash" | "json";
  readonly prefixes: readonly string[];
  readonly filter: string | undefined;
  readonly defaultScore: number;
  readonly fields: readonly IndexInfoField[];
  readonly numDocs: number;
  readonly maxDocId: number;
  readonly numTerms: number;
  readonly numRecords: number;
  /** Documents the index could not index (a non-numeric NUMERIC value, say): a search never returns them. */
  readonly indexingFailures: number;
  /** True while the initial scan (or a re-scan) runs. */
  readonly indexing: boolean;
  /** 0..1 */
  readonly percentIndexed: number;
  readonly totalIndexMemoryMb: number;
  /** Every other FT.INFO entry, as the server sent it. */
  readonly raw: Readonly<Record<string, RedisReply>>;
}

function text(value: RedisReply | undefined): string {
  if (value === undefined || value === null) return "";
  return Buffer.isBuffer(value) ? value.toString("utf8") : String(value);
}

function pairs(reply: RedisReply | undefined): Map<string, RedisReply> {
  const map = new Map<string, RedisReply>();
  if (!Array.isArray(reply)) return map;
  for (let i = 0; i + 1 < reply.length; i += 2) map.set(text(reply[i]), reply[i + 1]!);
  return map;
}

const TYPES: Record<string, IndexFieldType> = {
  TEXT: "text",
  NUMERIC: "numeric",
  TAG: "tag",
  GEO: "geo",
  VECTOR: "vector",
};

function parseAttribute(entry: RedisReply): IndexInfoField {
  const items = (Array.isArray(entry) ? entry : []).map(text);
  const valueAfter = (name: string): string | undefined => {
    const at = items.indexOf(name);
    return at === -1 ? undefined : items[at + 1];
  };
  const name = valueAfter("identifier") ?? "";
  const weight = valueAfter("WEIGHT");
  return {
    name,
    alias: valueAfter("attribute") ?? name,
    type: TYPES[valueAfter("type") ?? ""] ?? "text",
    sortable: items.includes("SORTABLE"),
    noindex: items.includes("NOINDEX"),
    nostem: items.includes("NOSTEM"),
    caseSensitive: items.includes("CASESENSITIVE"),
    weight: weight === undefined ? undefined : Number(weight),
    separator: valueAfter("SEPARATOR"),
  };
}

/** Parses an FT.INFO reply (RESP2 shape). */
export function parseIndexInfo(reply: RedisReply): IndexInfo {
  const info = pairs(reply);
  const definition = pairs(info.get("index_definition"));
  const prefixes = definition.get("prefixes");
  const num = (name: string): number => {
    const value = Number(text(info.get(name)));
    return Number.isFinite(value) ? value : 0;
  };
  return {
    name: text(info.get("index_name")),
    on: text(definition.get("key_type")).toUpperCase() === "JSON" ? "json" : "hash",
    prefixes: Array.isArray(prefixes) ? prefixes.map(text) : [],
    filter: definition.has("filter") ? text(definition.get("filter")) : undefined,
    defaultScore: definition.has("default_score") ? Number(text(definition.get("default_score"))) : 1,
    fields: (Array.isArray(info.get("attributes")) ? (info.get("attributes") as RedisReply[]) : []).map(
      parseAttribute,
    ),
    numDocs: num("num_docs"),
    maxDocId: num("max_doc_id"),
    numTerms: num("num_terms"),
    numRecords: num("num_records"),
    indexingFailures: num("hash_indexing_failures"),
    indexing: num("indexing") !== 0,
    percentIndexed: num("percent_indexed"),
    totalIndexMemoryMb: num("total_index_memory_sz_mb"),
    raw: Object.fromEntries(info),
  };
}

/** RediSearch's answer for an index (or alias) that does not exist. */
export function isUnknownIndex(error: unknown): boolean {
  return error instanceof Error && /unknown index name|no such index/i.test(error.message);
}

/** FT.INFO of an index or alias, typed; `undefined` when there is none by that name. */
export async function indexInfo(conn: RedisConnection, name: string): Promise<IndexInfo | undefined> {
  checkCall("indexInfo", conn);
  try {
    return parseIndexInfo(await ftCall(conn, "FT.INFO", name));
  } catch (error) {
    if (isUnknownIndex(error)) return undefined;
    throw error;
  }
}

/** Whether an index (or alias) by that name exists. */
export async function indexExists(conn: RedisConnection, name: string): Promise<boolean> {
  checkCall("indexExists", conn);
  return (await indexInfo(conn, name)) !== undefined;
}

/** The fields of FT.INFO as field definitions (what `diffIndex` compares with). */
export function infoFieldToDefinition(f: IndexInfoField): IndexField {
  const base = {
    name: f.name,
    ...(f.alias !== f.name ? { as: f.alias } : {}),
    ...(f.sortable ? { sortable: true } : {}),
    ...(f.noindex ? { noindex: true } : {}),
  };
  switch (f.type) {
    case "text":
      return {
        ...base,
        type: "text",
        ...(f.nostem ? { nostem: true } : {}),
        ...(f.weight !== undefined && f.weight !== 1 ? { weight: f.weight } : {}),
      };
    case "tag":
      return {
        ...base,
        type: "tag",
        ...(f.separator !== undefined && f.separator !== "," ? { separator: f.separator } : {}),
        ...(f.caseSensitive ? { caseSensitive: true } : {}),
      };
    case "vector":
      return { ...base, type: "vector", algorithm: "FLAT", dim: 1, distance: "L2" };
    default:
      return { ...base, type: f.type };
  }
}
