import { InvalidArgumentError, type RedisConnection } from "@polars-redis/core";
import { checkConnection, checkOptions } from "@polars-redis/core/internal";
import { assertClusterLayout, ftCall } from "../internal/ft-call.js";
import { INDEX_DEFINITION_KEYS } from "../internal/option-names.js";
import { fieldAlias, fieldArgs, type IndexField, validateField } from "./fields.js";
import { indexInfo, infoFieldToDefinition, isUnknownIndex } from "./index-info.js";

/** What FT.CREATE builds: an index over hashes (or JSON documents) whose keys start with `prefixes`. */
export interface IndexDefinition {
  readonly name: string;
  /** ["hash"]. "json" needs RedisJSON 2 (Redis Stack / Redis 8); field names are then JSONPaths with `as`. */
  readonly on?: "hash" | "json" | undefined;
  /** Key prefixes the index covers [every key]. */
  readonly prefixes?: readonly string[] | undefined;
  readonly fields: readonly IndexField[];
  /** An aggregation expression documents must satisfy to be indexed (FILTER). */
  readonly filter?: string | undefined;
  readonly language?: string | undefined;
  /** Default document score (SCORE) [1]. */
  readonly score?: number | undefined;
  /** Stop words; `[]` disables them [RediSearch's English list]. */
  readonly stopwords?: readonly string[] | undefined;
  /** Index only documents written after FT.CREATE (SKIPINITIALSCAN). */
  readonly skipInitialScan?: boolean | undefined;
  readonly noOffsets?: boolean | undefined;
  readonly noHighlight?: boolean | undefined;
  readonly noFreqs?: boolean | undefined;
}

function invalid(argument: string, message: string): never {
  throw new InvalidArgumentError(argument, message);
}

/** Validates an index definition (throws InvalidArgumentError) and returns it frozen. */
export function defineIndex(definition: IndexDefinition): IndexDefinition {
  if (definition === null || typeof definition !== "object") invalid("definition", "expected an object");
  checkOptions(definition, INDEX_DEFINITION_KEYS, { function: "defineIndex", argument: "definition" });
  const { name, on, prefixes, fields, score, stopwords } = definition;
  if (typeof name !== "string" || name === "" || /\s/.test(name))
    invalid("name", "expected a non-empty index name without spaces");
  if (on !== undefined && on !== "hash" && on !== "json")
    invalid("on", `expected "hash" or "json", got ${String(on)}`);
  if (
    prefixes !== undefined &&
    (!Array.isArray(prefixes) || prefixes.some((p) => typeof p !== "string" || p === ""))
  )
    invalid("prefixes", "expected an array of non-empty strings");
  if (!Array.isArray(fields) || fields.length === 0) invalid("fields", "expected at least one field");
  const checked = fields.map(validateField);
  const aliases = new Set<string>();
  for (const f of checked) {
    const alias = fieldAlias(f);
    if (aliases.has(alias)) invalid("fields", `field "${alias}" is declared twice`);
    aliases.add(alias);
    if (on === "json" && f.as === undefined && f.name.startsWith("$"))
      invalid("fields", `JSON field ${f.name} needs an alias (as) to be queried`);
  }
  if (score !== undefined && (!Number.isFinite(score) || score < 0 || score > 1))
    invalid("score", `expected a number in [0, 1], got ${score}`);
  if (stopwords !== undefined && (!Array.isArray(stopwords) || stopwords.some((w) => typeof w !== "string")))
    invalid("stopwords", "expected an array of strings");
  return Object.freeze({ ...definition, fields: Object.freeze([...checked]) });
}

/** The FT.CREATE arguments after the command name. */
export function createIndexArgs(definition: IndexDefinition): string[] {
  const d = defineIndex(definition);
  const args = [d.name, "ON", (d.on ?? "hash").toUpperCase()];
  if (d.prefixes !== undefined && d.prefixes.length > 0)
    args.push("PREFIX", String(d.prefixes.length), ...d.prefixes);
  if (d.filter !== undefined) args.push("FILTER", d.filter);
  if (d.language !== undefined) args.push("LANGUAGE", d.language);
  if (d.score !== undefined) args.push("SCORE", String(d.score));
  if (d.noOffsets) args.push("NOOFFSETS");
  if (d.noHighlight) args.push("NOHL");
  if (d.noFreqs) args.push("NOFREQS");
  if (d.stopwords !== undefined) args.push("STOPWORDS", String(d.stopwords.length), ...d.stopwords);
  if (d.skipInitialScan) args.push("SKIPINITIALSCAN");
  args.push("SCHEMA", ...d.fields.flatMap(fieldArgs));
  return args;
}

/**
 * FT.CREATE. With `ifNotExists`, an existing index of that name is left as it is (whatever its fields) and
 * false is returned; without it an existing index is an error. On Redis Cluster the index and its documents
 * must share a hash tag (see docs/search.md).
 */
export async function createIndex(
  conn: RedisConnection,
  definition: IndexDefinition,
  options: { ifNotExists?: boolean | undefined } = {},
): Promise<boolean> {
  checkConnection(conn, { function: "createIndex" });
  checkOptions(options, ["ifNotExists"], { function: "createIndex" });
  const args = createIndexArgs(definition);
  assertClusterLayout(conn, definition.name, definition.prefixes ?? [], "create");
  try {
    await ftCall(conn, "FT.CREATE", ...args);
    return true;
  } catch (error) {
    if (options.ifNotExists && error instanceof Error && /index already exists/i.test(error.message))
      return false;
    throw error;
  }
}

/** FT.DROPINDEX (with `deleteDocuments`: DD, the documents too). False when there was no such index. */
export async function dropIndex(
  conn: RedisConnection,
  name: string,
  options: { deleteDocuments?: boolean | undefined } = {},
): Promise<boolean> {
  checkConnection(conn, { function: "dropIndex" });
  checkOptions(options, ["deleteDocuments"], { function: "dropIndex" });
  try {
    await ftCall(conn, "FT.DROPINDEX", name, ...(options.deleteDocuments ? ["DD"] : []));
    return true;
  } catch (error) {
    if (isUnknownIndex(error)) return false;
    throw error;
  }
}

/** One field whose definition differs between the server and the wanted definition. */
export interface FieldChange {
  readonly field: string;
  readonly server: IndexField;
  readonly wanted: IndexField;
}

/** How the index on the server differs from a definition. */
export interface IndexDiff {
  readonly exists: boolean;
  /** Fields in the definition, not on the server. */
  readonly added: readonly IndexField[];
  /** Fields on the server, not in the definition. */
  readonly removed: readonly IndexField[];
  readonly changed: readonly FieldChange[];
  readonly unchanged: readonly string[];
  /** Server and wanted prefixes, when they differ. */
  readonly prefixes: { readonly server: readonly string[]; readonly wanted: readonly string[] } | undefined;
  readonly hasChanges: boolean;
}

/** The comparable part of a field: what FT.INFO reports back (vector attributes are not reported by 2.6). */
function comparable(f: IndexField): string {
  const base = {
    name: f.name,
    as: fieldAlias(f),
    type: f.type,
    sortable: !!f.sortable,
    noindex: !!f.noindex,
  };
  switch (f.type) {
    case "text":
      return JSON.stringify({ ...base, nostem: !!f.nostem, weight: f.weight ?? 1 });
    case "tag":
      return JSON.stringify({ ...base, separator: f.separator ?? ",", caseSensitive: !!f.caseSensitive });
    default:
      return JSON.stringify(base);
  }
}

/** Compares the index on the server with a definition: fields added, removed and changed, and prefixes. */
export async function diffIndex(conn: RedisConnection, definition: IndexDefinition): Promise<IndexDiff> {
  checkConnection(conn, { function: "diffIndex" });
  const wanted = defineIndex(definition);
  const info = await indexInfo(conn, wanted.name);
  if (info === undefined)
    return {
      exists: false,
      added: wanted.fields,
      removed: [],
      changed: [],
      unchanged: [],
      prefixes: undefined,
      hasChanges: true,
    };
  const server = new Map(info.fields.map((f) => [f.alias, infoFieldToDefinition(f)]));
  const added: IndexField[] = [];
  const changed: FieldChange[] = [];
  const unchanged: string[] = [];
  for (const f of wanted.fields) {
    const alias = fieldAlias(f);
    const current = server.get(alias);
    if (current === undefined) added.push(f);
    else if (comparable(current) !== comparable(f))
      changed.push({ field: alias, server: current, wanted: f });
    else unchanged.push(alias);
    server.delete(alias);
  }
  const removed = [...server.values()];
  const wantedPrefixes = [...(wanted.prefixes ?? [])].sort();
  const serverPrefixes = [...info.prefixes].filter((p) => p !== "").sort();
  const prefixes =
    JSON.stringify(wantedPrefixes) === JSON.stringify(serverPrefixes)
      ? undefined
      : { server: serverPrefixes, wanted: wantedPrefixes };
  return {
    exists: true,
    added,
    removed,
    changed,
    unchanged,
    prefixes,
    hasChanges: added.length + removed.length + changed.length > 0 || prefixes !== undefined,
  };
}

/** What ensureIndex did. */
export type EnsureIndexAction = "created" | "unchanged" | "recreated";

/**
 * Makes the index match the definition: creates it when missing; leaves it when it matches; when it differs,
 * drops and recreates it with `recreate: true` (documents are kept and re-indexed), else throws
 * InvalidArgumentError listing the differences (use rebuildIndex for a change without downtime).
 */
export async function ensureIndex(
  conn: RedisConnection,
  definition: IndexDefinition,
  options: { recreate?: boolean | undefined } = {},
): Promise<EnsureIndexAction> {
  checkConnection(conn, { function: "ensureIndex" });
  checkOptions(options, ["recreate"], { function: "ensureIndex" });
  const diff = await diffIndex(conn, definition);
  if (!diff.exists) {
    await createIndex(conn, definition, { ifNotExists: true });
    return "created";
  }
  if (!diff.hasChanges) return "unchanged";
  if (!options.recreate)
    throw new InvalidArgumentError(
      "definition",
      `index "${definition.name}" exists with a different definition (${describeDiff(diff)}); ` +
        "pass { recreate: true } to drop and recreate it, or use rebuildIndex for a zero-downtime swap",
    );
  await dropIndex(conn, definition.name);
  await createIndex(conn, definition);
  return "recreated";
}

/** A one-line summary of a diff. */
export function describeDiff(diff: IndexDiff): string {
  const parts: string[] = [];
  if (diff.added.length > 0) parts.push(`added ${diff.added.map(fieldAlias).join(", ")}`);
  if (diff.removed.length > 0) parts.push(`removed ${diff.removed.map(fieldAlias).join(", ")}`);
  if (diff.changed.length > 0) parts.push(`changed ${diff.changed.map((c) => c.field).join(", ")}`);
  if (diff.prefixes !== undefined)
    parts.push(`prefixes ${JSON.stringify(diff.prefixes.server)} -> ${JSON.stringify(diff.prefixes.wanted)}`);
  return parts.length === 0 ? "no changes" : parts.join("; ");
}

/**
 * Polls FT.INFO until the index has finished its initial scan (`indexing` 0, `percent_indexed` 1).
 * Throws after `timeoutMs` [60 s].
 */
export async function waitForIndex(
  conn: RedisConnection,
  name: string,
  options: { timeoutMs?: number | undefined; intervalMs?: number | undefined } = {},
): Promise<void> {
  checkConnection(conn, { function: "waitForIndex" });
  checkOptions(options, ["timeoutMs", "intervalMs"], { function: "waitForIndex" });
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const interval = options.intervalMs ?? 50;
  for (;;) {
    const info = await indexInfo(conn, name);
    if (info === undefined) throw new InvalidArgumentError("name", `index "${name}" does not exist`);
    if (!info.indexing && info.percentIndexed >= 1) return;
    if (Date.now() > deadline)
      throw new InvalidArgumentError(
        "timeoutMs",
        `index "${name}" still indexing (${Math.round(info.percentIndexed * 100)}%) after ${options.timeoutMs ?? 60_000} ms`,
      );
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

/** What rebuildIndex did. */
export interface RebuildResult {
  /** The index the alias pointed to before (undefined: the alias was new). */
  readonly previous: string | undefined;
  /** The index it points to now. */
  readonly current: string;
  /** Whether the previous index was dropped. */
  readonly droppedPrevious: boolean;
}

/**
 * A zero-downtime rebuild: queries use `alias`; the definition is created under a new versioned name
 * (`<alias>__<n>`), filled by RediSearch's initial scan, then FT.ALIASUPDATE points the alias at it in one
 * step, and the previous index is dropped (documents kept) unless `keepPrevious`. Readers of the alias see the
 * old index or the new one, never a missing or half-filled index.
 */
export async function rebuildIndex(
  conn: RedisConnection,
  alias: string,
  definition: Omit<IndexDefinition, "name">,
  options: { keepPrevious?: boolean | undefined; timeoutMs?: number | undefined } = {},
): Promise<RebuildResult> {
  checkConnection(conn, { function: "rebuildIndex" });
  checkOptions(options, ["keepPrevious", "timeoutMs"], { function: "rebuildIndex" });
  if (typeof alias !== "string" || alias === "" || /\s/.test(alias))
    invalid("alias", "expected a non-empty alias without spaces");
  defineIndex({ ...definition, name: alias }); // the definition is checked before anything is sent
  const before = await indexInfo(conn, alias);
  if (before !== undefined && before.name === alias)
    invalid(
      "alias",
      `"${alias}" is an index, not an alias; rebuildIndex swaps an alias between versioned indexes ` +
        `(create the first version with rebuildIndex under a new alias, or drop "${alias}" first)`,
    );
  const version = before === undefined ? 1 : versionOf(before.name, alias) + 1;
  const current = `${alias}__${version}`;
  await dropIndex(conn, current); // a leftover of an interrupted rebuild
  await createIndex(conn, { ...definition, name: current });
  await waitForIndex(conn, current, { timeoutMs: options.timeoutMs });
  await ftCall(conn, before === undefined ? "FT.ALIASADD" : "FT.ALIASUPDATE", alias, current);
  let droppedPrevious = false;
  if (before !== undefined && !options.keepPrevious) droppedPrevious = await dropIndex(conn, before.name);
  return { previous: before?.name, current, droppedPrevious };
}

function versionOf(name: string, alias: string): number {
  const match = new RegExp(`^${alias.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}__(\\d+)$`).exec(name);
  return match ? Number(match[1]) : 0;
}
