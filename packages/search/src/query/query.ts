import { InvalidArgumentError } from "@polars-redis/core";
import pl, { type Expr } from "nodejs-polars";

/** The kind of index field a predicate needs (what FT.CREATE declared the field as). */
export type PredicateFieldType = "numeric" | "tag" | "text" | "geo" | "vector";

export type GeoUnit = "m" | "km" | "mi" | "ft";

/** A parameter value sent in PARAMS: text, a number, or raw bytes (vectors). */
export type ParamValue = string | number | Buffer;

/** One node of a query tree. Exported for tooling (smart scan's planner reads it); build nodes with `col()`. */
export type QueryNode =
  | { readonly kind: "all" }
  | { readonly kind: "raw"; readonly query: string; readonly params: Readonly<Record<string, ParamValue>> }
  | {
      readonly kind: "range";
      readonly field: string;
      readonly min: number;
      readonly max: number;
      readonly minExclusive: boolean;
      readonly maxExclusive: boolean;
    }
  | { readonly kind: "tag"; readonly field: string; readonly values: readonly string[] }
  | {
      readonly kind: "text";
      readonly field: string | undefined;
      readonly mode: "term" | "prefix" | "fuzzy";
      readonly term: string;
      readonly distance: number;
    }
  | {
      readonly kind: "phrase";
      readonly field: string | undefined;
      readonly words: readonly string[];
      readonly slop: number | undefined;
      readonly inOrder: boolean | undefined;
    }
  | {
      readonly kind: "geo";
      readonly field: string;
      readonly lon: number;
      readonly lat: number;
      readonly radius: number;
      readonly unit: GeoUnit;
    }
  | {
      readonly kind: "vectorRange";
      readonly field: string;
      readonly radius: number;
      readonly vector: Buffer;
    }
  | {
      readonly kind: "knn";
      readonly field: string;
      readonly k: number;
      readonly vector: Buffer;
      readonly filter: QueryNode;
      readonly scoreAlias: string;
    }
  | { readonly kind: "and"; readonly children: readonly QueryNode[] }
  | { readonly kind: "or"; readonly children: readonly QueryNode[] }
  | { readonly kind: "not"; readonly child: QueryNode }
  | { readonly kind: "optional"; readonly child: QueryNode }
  | { readonly kind: "boost"; readonly child: QueryNode; readonly weight: number };

/** A rendered query: the query string (values as `$p0`, `$p1`, ...) and the PARAMS to send with it. */
export interface RenderedQuery {
  readonly query: string;
  readonly params: Readonly<Record<string, ParamValue>>;
}

/** Options of `toPolars()`: how the index stores tags (RediSearch's defaults: "," and case-insensitive). */
export interface ToPolarsOptions {
  /** Tag separator per field ["," for every field]. */
  readonly tagSeparators?: Readonly<Record<string, string>> | undefined;
  /** Tag fields declared CASESENSITIVE [none]. */
  readonly caseSensitiveTags?: readonly string[] | undefined;
}

function invalid(argument: string, message: string): never {
  throw new InvalidArgumentError(argument, message);
}

/**
 * A RediSearch query, built like a Polars expression: `col("age").gt(30).and(col("city").isIn(["London"]))`.
 * Immutable; `and`/`or`/`not` return new queries. Render it with `render()` (query string + PARAMS), show it
 * with `toString()`, or turn it into the equivalent Polars filter with `toPolars()`.
 */
export class Query {
  /** The query tree (read-only). */
  readonly node: QueryNode;

  constructor(node: QueryNode) {
    this.node = node;
  }

  /** Both must match. */
  and(...others: Query[]): Query {
    return new Query(combine("and", [this, ...others].map(asNode)));
  }

  /** Either matches. */
  or(...others: Query[]): Query {
    return new Query(combine("or", [this, ...others].map(asNode)));
  }

  /** Documents this query does not match (`-(...)`). */
  not(): Query {
    assertComposable(this.node, "not");
    return new Query({ kind: "not", child: this.node });
  }

  /** An optional clause (`~(...)`): documents matching it rank higher, none is excluded for missing it. */
  optional(): Query {
    assertComposable(this.node, "optional");
    return new Query({ kind: "optional", child: this.node });
  }

  /** Scales this clause's contribution to the score (`(...) => { $weight: w; }`). */
  boost(weight: number): Query {
    if (!Number.isFinite(weight) || weight <= 0)
      invalid("weight", `expected a positive number, got ${weight}`);
    assertComposable(this.node, "boost");
    return new Query({ kind: "boost", child: this.node, weight });
  }

  /** The query string and its PARAMS (sent with DIALECT 2). */
  render(): RenderedQuery {
    const context = new RenderContext();
    const query = renderNode(this.node, context, true);
    return { query, params: context.params };
  }

  /** The query string with its parameter values shown inline after it, for logs and error messages. */
  toString(): string {
    const { query, params } = this.render();
    const names = Object.keys(params);
    if (names.length === 0) return query;
    const shown = names.map((name) => {
      const value = params[name]!;
      return `${name}=${Buffer.isBuffer(value) ? `<${value.length} bytes>` : JSON.stringify(value)}`;
    });
    return `${query}  PARAMS ${shown.join(" ")}`;
  }

  /** The query with each parameter's value written in its place: for reading, not for sending. */
  inline(): string {
    const { query, params } = this.render();
    return query.replace(/\$(p\d+)\b/g, (whole, name: string) => {
      const value = params[name];
      if (value === undefined) return whole;
      if (Buffer.isBuffer(value)) return `<${value.length} bytes>`;
      return typeof value === "number" ? String(value) : JSON.stringify(value);
    });
  }

  /**
   * The same predicate as a Polars expression over a frame with one column per field (the document's values,
   * as searchHashes returns them). Throws InvalidArgumentError for clauses Polars cannot evaluate the same
   * way: fuzzy terms, phrases with slop, geo, vector and raw queries. Text terms match whole words without
   * case (RediSearch's tokenizer, minus stemming: declare such fields NOSTEM for exact agreement).
   */
  toPolars(options: ToPolarsOptions = {}): Expr {
    return polarsOf(this.node, options);
  }

  /** Whether `toPolars()` can express every clause. */
  hasPolarsEquivalent(): boolean {
    try {
      polarsOf(this.node, {});
      return true;
    } catch {
      return false;
    }
  }
}

function asNode(query: Query): QueryNode {
  if (!(query instanceof Query)) invalid("query", "expected a Query built with col(), raw() or all()");
  return query.node;
}

function assertComposable(node: QueryNode, what: string): void {
  if (node.kind === "knn")
    invalid(
      "query",
      `a KNN query cannot be combined (${what}); put the filter in knn(k, vector, { filter })`,
    );
}

function combine(kind: "and" | "or", nodes: QueryNode[]): QueryNode {
  const children: QueryNode[] = [];
  for (const node of nodes) {
    assertComposable(node, kind);
    if (node.kind === kind) children.push(...node.children);
    else children.push(node);
  }
  return { kind, children };
}

// ---------------------------------------------------------------------------------------------------------
// Rendering

class RenderContext {
  readonly params: Record<string, ParamValue> = {};
  private next = 0;

  param(value: ParamValue): string {
    const name = `p${this.next++}`;
    this.params[name] = value;
    return `$${name}`;
  }

  addRaw(params: Readonly<Record<string, ParamValue>>): void {
    for (const [name, value] of Object.entries(params)) {
      if (/^p\d+$/.test(name))
        invalid("raw", `parameter name ${name} is reserved for the builder; use another`);
      if (name in this.params) invalid("raw", `parameter ${name} is given twice`);
      this.params[name] = value;
    }
  }
}

/** `@field` with every character outside [A-Za-z0-9_] escaped. */
export function fieldRef(field: string): string {
  return `@${escapeQueryText(field)}`;
}

/** Backslash-escapes every character that is not a letter, digit or underscore (safe in any query position). */
export function escapeQueryText(text: string): string {
  return text.replace(/[^\p{L}\p{N}_]/gu, (char) => `\\${char}`);
}

function bound(value: number, exclusive: boolean, context: RenderContext): string {
  if (value === Number.POSITIVE_INFINITY) return "+inf";
  if (value === Number.NEGATIVE_INFINITY) return "-inf";
  return `${exclusive ? "(" : ""}${context.param(value)}`;
}

function renderNode(node: QueryNode, context: RenderContext, top: boolean): string {
  switch (node.kind) {
    case "all":
      return "*";
    case "raw":
      context.addRaw(node.params);
      return top ? node.query : `(${node.query})`;
    case "range":
      return `${fieldRef(node.field)}:[${bound(node.min, node.minExclusive, context)} ${bound(node.max, node.maxExclusive, context)}]`;
    case "tag":
      return `${fieldRef(node.field)}:{${node.values.map((value) => context.param(value)).join("|")}}`;
    case "text": {
      const prefix = node.field === undefined ? "" : `${fieldRef(node.field)}:`;
      const term = context.param(node.term);
      if (node.mode === "prefix") return `${prefix}${term}*`;
      if (node.mode === "fuzzy") {
        const marks = "%".repeat(node.distance);
        return `${prefix}${marks}${term}${marks}`;
      }
      return `${prefix}${term}`;
    }
    case "phrase": {
      const prefix = node.field === undefined ? "" : `${fieldRef(node.field)}:`;
      const words = node.words.map((word) => context.param(word)).join(" ");
      if (node.slop === undefined && node.inOrder === undefined) return `${prefix}"${words}"`;
      const attributes = [
        ...(node.slop !== undefined ? [`$slop: ${node.slop};`] : []),
        ...(node.inOrder !== undefined ? [`$inorder: ${node.inOrder};`] : []),
      ];
      return `${prefix}(${words}) => { ${attributes.join(" ")} }`;
    }
    case "geo":
      return `${fieldRef(node.field)}:[${context.param(node.lon)} ${context.param(node.lat)} ${context.param(node.radius)} ${node.unit}]`;
    case "vectorRange":
      return `${fieldRef(node.field)}:[VECTOR_RANGE ${context.param(node.radius)} ${context.param(node.vector)}]`;
    case "knn": {
      const filter = node.filter.kind === "all" ? "*" : `(${renderNode(node.filter, context, false)})`;
      return `${filter}=>[KNN ${context.param(node.k)} ${fieldRef(node.field)} ${context.param(node.vector)} AS ${escapeQueryText(node.scoreAlias)}]`;
    }
    case "and": {
      if (node.children.length === 1) return renderNode(node.children[0]!, context, top);
      const parts = node.children.map((child) => renderNode(child, context, false));
      return top ? parts.join(" ") : `(${parts.join(" ")})`;
    }
    case "or": {
      if (node.children.length === 1) return renderNode(node.children[0]!, context, top);
      return `(${node.children.map((child) => renderNode(child, context, false)).join(" | ")})`;
    }
    case "not":
      return `-${wrap(node.child, context)}`;
    case "optional":
      return `~${wrap(node.child, context)}`;
    case "boost":
      return `${wrap(node.child, context)} => { $weight: ${node.weight}; }`;
  }
}

/** A child of a unary operator, parenthesised unless it is a single clause. */
function wrap(node: QueryNode, context: RenderContext): string {
  const text = renderNode(node, context, false);
  return text.startsWith("(") || text === "*" ? text : `(${text})`;
}

// ---------------------------------------------------------------------------------------------------------
// Polars equivalent

function noPolars(what: string): never {
  throw new InvalidArgumentError(
    "query",
    `${what} has no Polars equivalent; it can only run in RediSearch (not as a residual filter)`,
  );
}

function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|#&~\-\s]/g, (char) => `\\${char}`);
}

function polarsOf(node: QueryNode, options: ToPolarsOptions): Expr {
  switch (node.kind) {
    case "all":
      return pl.lit(true);
    case "raw":
      return noPolars("a raw query string");
    case "range": {
      const column = pl.col(node.field);
      const parts: Expr[] = [];
      if (node.min !== Number.NEGATIVE_INFINITY)
        parts.push(node.minExclusive ? column.gt(pl.lit(node.min)) : column.gtEq(pl.lit(node.min)));
      if (node.max !== Number.POSITIVE_INFINITY)
        parts.push(node.maxExclusive ? column.lt(pl.lit(node.max)) : column.ltEq(pl.lit(node.max)));
      // RediSearch indexes only numbers: a missing or non-numeric value matches no range.
      const test = parts.length === 0 ? column.isNotNull() : parts.reduce((a, b) => a.and(b));
      return test.fillNull(false);
    }
    case "tag": {
      const separator = options.tagSeparators?.[node.field] ?? ",";
      const caseSensitive = options.caseSensitiveTags?.includes(node.field) ?? false;
      let text = pl.col(node.field).cast(pl.Utf8);
      if (!caseSensitive) text = text.str.toLowerCase();
      const sep = escapeRegex(separator);
      const tags = text.str.replaceAll(`\\s*${sep}\\s*`, separator).str.strip().str.split(separator);
      const tests = node.values.map((value) => {
        const wanted = (caseSensitive ? value : value.toLowerCase()).trim();
        return tags.lst.contains(pl.lit(wanted));
      });
      return tests.reduce((a, b) => a.or(b)).fillNull(false);
    }
    case "text": {
      if (node.mode === "fuzzy") return noPolars("a fuzzy term");
      const column = textColumn(node.field);
      const word = escapeRegex(node.term);
      const pattern = node.mode === "prefix" ? `(?i)\\b${word}` : `(?i)\\b${word}\\b`;
      return column.str.contains(pattern).fillNull(false);
    }
    case "phrase": {
      if ((node.slop !== undefined && node.slop > 0) || node.inOrder === false)
        return noPolars("a phrase with slop");
      const column = textColumn(node.field);
      const pattern = `(?i)\\b${node.words.map(escapeRegex).join("\\W+")}\\b`;
      return column.str.contains(pattern).fillNull(false);
    }
    case "geo":
      return noPolars("a geo radius");
    case "vectorRange":
    case "knn":
      return noPolars("a vector query");
    case "and":
      return node.children.map((child) => polarsOf(child, options)).reduce((a, b) => a.and(b));
    case "or":
      return node.children.map((child) => polarsOf(child, options)).reduce((a, b) => a.or(b));
    case "not":
      return polarsOf(node.child, options).not();
    case "optional":
      // An optional clause never removes a document.
      polarsOf(node.child, options);
      return pl.lit(true);
    case "boost":
      return polarsOf(node.child, options);
  }
}

function textColumn(field: string | undefined): Expr {
  if (field === undefined) return noPolars("a text term without a field (it searches every TEXT field)");
  return pl.col(field).cast(pl.Utf8);
}

/** The fields a query tree names, with the field type each clause needs. */
export function fieldsOf(node: QueryNode): Array<{ field: string; type: PredicateFieldType }> {
  const found: Array<{ field: string; type: PredicateFieldType }> = [];
  const visit = (n: QueryNode): void => {
    switch (n.kind) {
      case "range":
        found.push({ field: n.field, type: "numeric" });
        return;
      case "tag":
        found.push({ field: n.field, type: "tag" });
        return;
      case "text":
      case "phrase":
        if (n.field !== undefined) found.push({ field: n.field, type: "text" });
        return;
      case "geo":
        found.push({ field: n.field, type: "geo" });
        return;
      case "vectorRange":
        found.push({ field: n.field, type: "vector" });
        return;
      case "knn":
        found.push({ field: n.field, type: "vector" });
        visit(n.filter);
        return;
      case "and":
      case "or":
        n.children.forEach(visit);
        return;
      case "not":
      case "optional":
      case "boost":
        visit(n.child);
        return;
      default:
        return;
    }
  };
  visit(node);
  return found;
}
