import {
  InvalidArgumentError,
  type OnError,
  type RedisConnection,
  type RedisReply,
  type ScanDtype,
  type SchemaInput,
  scanHashes,
} from "@polars-redis/core";
import { resolveSchema, toPolarsDtype } from "@polars-redis/core/internal";
import pl, { type DataFrame, type Expr } from "nodejs-polars";
import { type IndexInfo, indexInfo } from "../index/index-info.js";
import { assertClusterLayout, ftCall, isUnknownCommand } from "../internal/ft-call.js";
import { checkCall, SMART_SCAN_OPTION_NAMES } from "../internal/option-names.js";
import {
  fieldsOf,
  type PredicateFieldType,
  Query,
  type QueryNode,
  type RenderedQuery,
} from "../query/query.js";
import { scanSearch, searchHashes } from "../search/search-hashes.js";

export interface SmartScanOptions {
  /** SCAN MATCH pattern of the hashes to read. ["*"] */
  readonly pattern?: string | undefined;
  /** A builder query (pushed to RediSearch where an index can answer it) or a Polars expression (never pushed). */
  readonly filter?: Query | Expr | undefined;
  /** Field → dtype (required unless `columns` is given, as for readHashes). */
  readonly schema?: SchemaInput | undefined;
  readonly columns?: readonly string[] | undefined;
  /** Use this index (or alias) instead of looking for one; it must cover the pattern. */
  readonly index?: string | undefined;
  /** Never use an index (plain SCAN + filter). [false] */
  readonly noIndex?: boolean | undefined;
  readonly includeKey?: boolean | undefined;
  readonly keyColumn?: string | undefined;
  /** Rows kept at most (after the filter). */
  readonly limit?: number | undefined;
  readonly batchSize?: number | undefined;
  readonly onError?: OnError | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** How smartScan will read: with an index (all of the filter in Redis, or part), or SCAN + Polars filter. */
export interface ScanPlan {
  readonly strategy: "search" | "hybrid" | "scan";
  /** The index used, if any. */
  readonly index: string | undefined;
  /** The FT.SEARCH query (and PARAMS) for the pushed part. */
  readonly serverQuery: RenderedQuery | undefined;
  /** Each pushed predicate, as RediSearch syntax. */
  readonly pushed: readonly string[];
  /** Each predicate evaluated in Polars on the results, with why it was not pushed. */
  readonly residual: ReadonlyArray<{ readonly predicate: string; readonly reason: string }>;
  /** The Polars expression applied to every batch (residual predicates and the key pattern), if any. */
  readonly residualFilter: Expr | undefined;
  /** Why this plan: which indexes were considered and why each was or was not used. */
  readonly reasons: readonly string[];
  /** A readable multi-line summary. */
  explain(): string;
}

function invalid(argument: string, message: string): never {
  throw new InvalidArgumentError(argument, message);
}

const GLOB_META = /[*?[\\]/;

/** The literal start of a glob pattern (up to its first wildcard). */
function literalPrefix(pattern: string): string {
  const at = pattern.search(GLOB_META);
  return at === -1 ? pattern : pattern.slice(0, at);
}

/** A glob pattern (Redis SCAN MATCH syntax) as an anchored regular expression. */
export function globToRegex(pattern: string): string {
  let out = "^";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") out += "[\\s\\S]*";
    else if (c === "?") out += "[\\s\\S]";
    else if (c === "\\" && i + 1 < pattern.length) out += escapeRegexChar(pattern[++i]!);
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end === -1) out += "\\[";
      else {
        let body = pattern.slice(i + 1, end);
        if (body.startsWith("^")) body = `^${body.slice(1).replace(/\\/g, "\\\\")}`;
        else body = body.replace(/\\/g, "\\\\");
        out += `[${body}]`;
        i = end;
      }
    } else out += escapeRegexChar(c);
  }
  return `${out}$`;
}

function escapeRegexChar(c: string): string {
  return /[\\^$.*+?()[\]{}|\-/#&~\s]/.test(c) ? `\\${c}` : c;
}

interface Candidate {
  readonly info: IndexInfo;
  readonly requested: string;
}

/** Every index name (FT._LIST), or [] when the server has no RediSearch. */
async function listIndexes(conn: RedisConnection): Promise<string[] | undefined> {
  try {
    const reply = (await ftCall(conn, "FT._LIST")) as RedisReply[];
    return reply.map((name) => (Buffer.isBuffer(name) ? name.toString("utf8") : String(name)));
  } catch (error) {
    if (isUnknownCommand(error) || (error instanceof Error && error.name === "ModuleNotLoadedError"))
      return undefined;
    throw error;
  }
}

/** Why an index cannot answer for the pattern, or undefined when it covers it. */
function coverageProblem(info: IndexInfo, pattern: string, conn: RedisConnection): string | undefined {
  if (info.on !== "hash") return "indexes JSON documents, not hashes";
  if (info.filter !== undefined) return `has a FILTER (${info.filter}), so it leaves some documents out`;
  if (info.indexing || info.percentIndexed < 1)
    return `is still indexing (${Math.round(info.percentIndexed * 100)}%), so a search would miss documents`;
  if (info.indexingFailures > 0)
    return `failed to index ${info.indexingFailures} document(s), which a search would never return`;
  const literal = literalPrefix(pattern);
  const prefixes = info.prefixes.length === 0 ? [""] : info.prefixes;
  if (!prefixes.some((prefix) => literal.startsWith(prefix)))
    return `prefixes ${JSON.stringify(info.prefixes)} do not cover pattern "${pattern}"`;
  try {
    assertClusterLayout(conn, info.name, info.prefixes, "search");
  } catch {
    return "lives on one master of this cluster and sees only that master's documents (no shared hash tag)";
  }
  return undefined;
}

const NEEDED: Record<PredicateFieldType, string> = {
  numeric: "NUMERIC",
  tag: "TAG",
  text: "TEXT",
  geo: "GEO",
  vector: "VECTOR",
};

/** Why a clause cannot run in this index, or undefined when it can. */
function pushProblem(node: QueryNode, info: IndexInfo): string | undefined {
  if (node.kind === "raw") return undefined;
  for (const { field, type } of fieldsOf(node)) {
    const declared = info.fields.find((f) => f.alias === field);
    if (declared === undefined) return `field "${field}" is not in index ${info.name}`;
    if (declared.noindex) return `field "${field}" is NOINDEX in ${info.name}`;
    if (declared.type !== type)
      return `field "${field}" is ${declared.type.toUpperCase()} in ${info.name}, the predicate needs ${NEEDED[type]}`;
  }
  const textWithoutField = (n: QueryNode): boolean =>
    ((n.kind === "text" || n.kind === "phrase") && n.field === undefined) ||
    ((n.kind === "and" || n.kind === "or") && n.children.some(textWithoutField)) ||
    ((n.kind === "not" || n.kind === "optional" || n.kind === "boost") && textWithoutField(n.child));
  if (textWithoutField(node) && !info.fields.some((f) => f.type === "text"))
    return `index ${info.name} has no TEXT field`;
  return undefined;
}

function conjuncts(node: QueryNode): QueryNode[] {
  if (node.kind === "and") return [...node.children];
  if (node.kind === "all") return [];
  return [node];
}

function describeNode(node: QueryNode): string {
  return new Query(node).inline();
}

interface Split {
  readonly pushed: QueryNode[];
  readonly residual: Array<{ node: QueryNode; reason: string }>;
}

function split(filter: Query | undefined, info: IndexInfo | undefined): Split {
  const parts = filter === undefined ? [] : conjuncts(filter.node);
  const pushed: QueryNode[] = [];
  const residual: Array<{ node: QueryNode; reason: string }> = [];
  for (const node of parts) {
    const problem = info === undefined ? "no index covers the pattern" : pushProblem(node, info);
    if (problem === undefined) pushed.push(node);
    else residual.push({ node, reason: problem });
  }
  return { pushed, residual };
}

class Plan implements ScanPlan {
  constructor(
    readonly strategy: ScanPlan["strategy"],
    readonly index: string | undefined,
    readonly serverQuery: RenderedQuery | undefined,
    readonly pushed: readonly string[],
    readonly residual: ScanPlan["residual"],
    readonly residualFilter: Expr | undefined,
    readonly reasons: readonly string[],
    readonly keyPattern: string | undefined,
    readonly residualFields: readonly string[] | undefined,
  ) {}

  explain(): string {
    const lines = [`strategy: ${this.strategy}${this.index ? ` (index ${this.index})` : ""}`];
    if (this.serverQuery) lines.push(`FT.SEARCH query: ${this.serverQuery.query}`);
    for (const p of this.pushed) lines.push(`  pushed:   ${p}`);
    for (const r of this.residual) lines.push(`  residual: ${r.predicate}  (${r.reason})`);
    if (this.keyPattern) lines.push(`  residual: key matches ${this.keyPattern}`);
    for (const reason of this.reasons) lines.push(`  - ${reason}`);
    return lines.join("\n");
  }
}

/** Works out how smartScan would read `pattern` with `filter`, without reading any document. */
export async function explainScan(conn: RedisConnection, options: SmartScanOptions): Promise<ScanPlan> {
  checkCall("explainScan", conn, options, SMART_SCAN_OPTION_NAMES);
  const pattern = options.pattern ?? "*";
  if (typeof pattern !== "string" || pattern === "") invalid("pattern", "expected a non-empty glob pattern");
  const filter = options.filter;
  const builder = filter instanceof Query ? filter : undefined;
  if (filter !== undefined && builder === undefined && !isPolarsExpr(filter))
    invalid("filter", "expected a query built with col(...) or a Polars expression");
  const reasons: string[] = [];
  let chosen: Candidate | undefined;

  if (options.noIndex) reasons.push("noIndex: true, no index considered");
  else {
    const discover = options.index === undefined && conn.kind === "cluster";
    if (discover)
      reasons.push(
        "Redis Cluster: RediSearch keeps each index on one master and FT._LIST lists only the answering master's, " +
          "so indexes are not discovered; pass `index` to use a hash-tagged one",
      );
    const names = options.index !== undefined ? [options.index] : discover ? [] : await listIndexes(conn);
    if (discover) {
      // reason given above
    } else if (names === undefined) reasons.push("RediSearch is not loaded on this server");
    else if (names.length === 0) reasons.push("the server has no index (FT._LIST is empty)");
    let best: { candidate: Candidate; pushed: number; prefix: number } | undefined;
    for (const name of names ?? []) {
      const info = await indexInfo(conn, name);
      if (info === undefined) {
        if (options.index !== undefined) invalid("index", `index "${name}" does not exist`);
        continue;
      }
      const problem = coverageProblem(info, pattern, conn);
      if (problem !== undefined) {
        if (options.index !== undefined)
          invalid("index", `index "${name}" cannot answer for "${pattern}": it ${problem}`);
        reasons.push(`index ${name}: not used, it ${problem}`);
        continue;
      }
      const pushedCount = builder ? split(builder, info).pushed.length : 0;
      const prefix = Math.max(0, ...info.prefixes.map((p) => p.length));
      reasons.push(
        `index ${name}: covers "${pattern}" (prefixes ${JSON.stringify(info.prefixes)}), can push ${pushedCount} predicate(s)`,
      );
      if (
        best === undefined ||
        pushedCount > best.pushed ||
        (pushedCount === best.pushed && prefix > best.prefix)
      )
        best = { candidate: { info, requested: name }, pushed: pushedCount, prefix };
    }
    chosen = best?.candidate;
  }

  if (builder?.node.kind === "knn" || builder?.node.kind === "raw" || containsUnevaluable(builder)) {
    if (chosen === undefined)
      invalid(
        "filter",
        "this filter (raw, KNN, fuzzy, geo or vector clauses) can only run in RediSearch, and no index covers the pattern",
      );
  }

  const { pushed, residual } = builder ? split(builder, chosen?.info) : { pushed: [], residual: [] };
  const residualParts = residual.map(({ node, reason }) => {
    let expr: Expr;
    try {
      expr = new Query(node).toPolars(tagOptions(chosen?.info));
    } catch (error) {
      throw new InvalidArgumentError(
        "filter",
        `predicate ${describeNode(node)} cannot run in RediSearch (${reason}) nor in Polars (${(error as Error).message})`,
      );
    }
    return { predicate: describeNode(node), reason, expr };
  });
  if (filter !== undefined && builder === undefined)
    residualParts.push({
      predicate: String(filter),
      reason: "a Polars expression is applied as written (write it with the query builder to push it down)",
      expr: filter as Expr,
    });

  const residualView = residualParts.map(({ predicate, reason }) => ({ predicate, reason }));
  let keyPattern: string | undefined;
  if (chosen !== undefined) {
    const prefixes = chosen.info.prefixes.length === 0 ? [""] : chosen.info.prefixes;
    if (!prefixes.some((prefix) => pattern === `${prefix}*`)) keyPattern = pattern;
  }
  let residualFilter = residualParts
    .map((r) => r.expr)
    .reduce<Expr | undefined>((a, b) => (a ? a.and(b) : b), undefined);

  if (chosen === undefined) {
    return new Plan(
      "scan",
      undefined,
      undefined,
      [],
      residualParts,
      residualFilter,
      reasons,
      undefined,
      undefined,
    );
  }
  const serverQuery =
    pushed.length === 0
      ? { query: "*", params: {} }
      : new Query(pushed.length === 1 ? pushed[0]! : { kind: "and", children: pushed }).render();
  const keyColumn = "__smart_key";
  if (keyPattern !== undefined) {
    const keyTest = pl.col(keyColumn).str.contains(globToRegex(keyPattern));
    residualFilter = residualFilter ? residualFilter.and(keyTest) : keyTest;
  }
  const residualFields = builder
    ? [...new Set(residual.flatMap(({ node }) => fieldsOf(node).map((f) => f.field)))]
    : undefined;
  if (options.schema !== undefined && residualFields !== undefined) {
    const declared = new Set(resolveSchema(options.schema).map((f) => f.name));
    const missing = residualFields.filter((name) => !declared.has(name));
    if (missing.length > 0)
      invalid(
        "schema",
        `the filter's predicates on ${missing.map((m) => `"${m}"`).join(", ")} run in Polars, so the schema must give their dtype`,
      );
  }
  return new Plan(
    residualFilter === undefined ? "search" : "hybrid",
    chosen.requested,
    serverQuery,
    pushed.map(describeNode),
    residualView,
    residualFilter,
    reasons,
    keyPattern,
    residualFields,
  );
}

function isPolarsExpr(value: unknown): value is Expr {
  return (
    value !== null &&
    typeof value === "object" &&
    typeof (value as Expr).and === "function" &&
    !(value instanceof Query)
  );
}

function containsUnevaluable(query: Query | undefined): boolean {
  if (query === undefined) return false;
  return conjuncts(query.node).some((node) => !new Query(node).hasPolarsEquivalent());
}

function tagOptions(info: IndexInfo | undefined) {
  const tagSeparators: Record<string, string> = {};
  const caseSensitiveTags: string[] = [];
  for (const f of info?.fields ?? []) {
    if (f.type !== "tag") continue;
    if (f.separator !== undefined) tagSeparators[f.alias] = f.separator;
    if (f.caseSensitive) caseSensitiveTags.push(f.alias);
  }
  return { tagSeparators, caseSensitiveTags };
}

/**
 * Reads the hashes matching `pattern` that pass `filter`, the fastest way the server allows: when a
 * RediSearch index covers the pattern (FT._LIST, FT.INFO: prefixes, fully indexed, no indexing failures),
 * every predicate the index can answer runs in FT.SEARCH and the rest runs in Polars on each page; with no
 * such index it falls back to core's SCAN read with the whole filter in Polars. `explainScan` shows the plan.
 * Yields one DataFrame per batch, typed by `schema`.
 */
export async function* smartScan(
  conn: RedisConnection,
  options: SmartScanOptions,
): AsyncGenerator<DataFrame> {
  checkCall("smartScan", conn, options, SMART_SCAN_OPTION_NAMES);
  yield* runPlan(conn, options, (await explainScan(conn, options)) as Plan);
}

async function* runPlan(
  conn: RedisConnection,
  options: SmartScanOptions,
  plan: Plan,
): AsyncGenerator<DataFrame> {
  const includeKey = options.includeKey ?? true;
  const keyColumn = options.keyColumn ?? "_key";
  if (plan.strategy === "scan") {
    yield* scanHashes(conn, {
      pattern: options.pattern ?? "*",
      schema: options.schema,
      columns: options.columns,
      filter: plan.residualFilter,
      limit: options.limit,
      includeKey,
      keyColumn,
      batchSize: options.batchSize,
      onError: options.onError,
      signal: options.signal,
    });
    return;
  }
  const schemaFields = options.schema === undefined ? undefined : resolveSchema(options.schema);
  const wanted = options.columns ?? schemaFields?.map((f) => f.name);
  // Residual predicates may need fields the caller did not ask for: read them too, drop them after.
  const extra =
    wanted === undefined
      ? []
      : (plan.residualFields ?? (plan.residualFilter ? (schemaFields ?? []).map((f) => f.name) : [])).filter(
          (f) => !wanted.includes(f),
        );
  const needsKey = plan.keyPattern !== undefined;
  let remaining = options.limit ?? Number.POSITIVE_INFINITY;
  if (remaining <= 0) return;
  for await (let frame of scanSearch(conn, {
    index: plan.index!,
    query: plan.serverQuery!.query,
    params: plan.serverQuery!.params,
    schema: options.schema,
    columns: wanted === undefined ? undefined : [...wanted, ...extra],
    includeKey: includeKey || needsKey,
    keyColumn: needsKey ? "__smart_key" : keyColumn,
    limit: plan.residualFilter === undefined ? options.limit : undefined,
    batchSize: options.batchSize,
    onError: options.onError,
    signal: options.signal,
  })) {
    if (plan.residualFilter !== undefined) frame = frame.filter(plan.residualFilter);
    if (needsKey) frame = includeKey ? frame.rename({ __smart_key: keyColumn }) : frame.drop("__smart_key");
    if (extra.length > 0) frame = frame.drop(extra);
    if (frame.height > remaining) frame = frame.head(remaining);
    remaining -= frame.height;
    if (frame.height > 0) yield frame;
    if (remaining <= 0) return;
  }
}

/** smartScan, concatenated into one DataFrame. */
export async function smartRead(conn: RedisConnection, options: SmartScanOptions): Promise<DataFrame> {
  checkCall("smartRead", conn, options, SMART_SCAN_OPTION_NAMES);
  const plan = (await explainScan(conn, options)) as Plan;
  if (plan.strategy === "search") {
    // Everything runs in RediSearch: searchHashes builds fewer, larger frames than page-by-page reading.
    return searchHashes(conn, {
      index: plan.index!,
      query: plan.serverQuery!.query,
      params: plan.serverQuery!.params,
      schema: options.schema,
      columns: options.columns,
      includeKey: options.includeKey ?? true,
      keyColumn: options.keyColumn ?? "_key",
      limit: options.limit,
      batchSize: options.batchSize,
      onError: options.onError,
      signal: options.signal,
    });
  }
  const frames: DataFrame[] = [];
  for await (const frame of runPlan(conn, options, plan)) frames.push(frame);
  if (frames.length === 0) {
    // Nothing matched: the declared columns, typed, no rows.
    const fields =
      options.schema === undefined
        ? (options.columns ?? []).map((name) => ({ name, dtype: { kind: "utf8" } as ScanDtype }))
        : resolveSchema(options.schema).filter(
            (f) => options.columns === undefined || options.columns.includes(f.name),
          );
    const series = [
      ...((options.includeKey ?? true) ? [pl.Series(options.keyColumn ?? "_key", [], pl.Utf8)] : []),
      ...fields.map((f) => pl.Series(f.name, [], toPolarsDtype(f.dtype))),
    ];
    return pl.DataFrame(series);
  }
  return frames.length === 1 ? frames[0]! : pl.concat(frames, { how: "vertical" });
}
