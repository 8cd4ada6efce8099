import { InvalidArgumentError } from "@polars-redis/core";
import { describeValue } from "@polars-redis/core/internal";
import { type GeoUnit, type ParamValue, Query, type QueryNode } from "./query.js";

function invalid(argument: string, message: string): never {
  throw new InvalidArgumentError(argument, message);
}

function finite(name: string, value: unknown): number {
  if (typeof value !== "number" || Number.isNaN(value))
    invalid(
      name,
      `expected a number, got ${typeof value === "string" ? JSON.stringify(value) : String(value)}`,
    );
  return value;
}

/** Characters RediSearch's tokenizer splits text on: a term holding one would never match as one word. */
const TOKEN_SEPARATOR = /[\s,.<>{}[\]"':;!@#$%^&*()\-+=~|/\\]/;

function singleWord(name: string, value: unknown): string {
  if (typeof value !== "string" || value === "") invalid(name, "expected a non-empty string");
  if (TOKEN_SEPARATOR.test(value))
    invalid(
      name,
      `"${value}" is not one word (RediSearch splits text on spaces and punctuation); use phrase([...]) for several words`,
    );
  return value;
}

function tagValue(value: unknown): string {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "boolean") return String(value);
  if (typeof value !== "string" || value === "") invalid("value", "expected a non-empty string tag");
  return value;
}

/** Vector bytes as RediSearch reads them: little-endian FLOAT32. */
function vectorBytes(vector: unknown): Buffer {
  if (Buffer.isBuffer(vector)) return vector;
  if (vector instanceof Float32Array) return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
  if (Array.isArray(vector) && vector.every((v) => typeof v === "number" && Number.isFinite(v))) {
    const floats = Float32Array.from(vector as number[]);
    return Buffer.from(floats.buffer);
  }
  return invalid("vector", "expected a Float32Array, an array of numbers or a Buffer of FLOAT32 values");
}

const UNITS: readonly GeoUnit[] = ["m", "km", "mi", "ft"];

/**
 * One index field, as the start of a predicate. Which operator you call says which kind of field it is:
 * comparisons and `between` are NUMERIC, `eq(string)`/`isIn`/`hasTag` are TAG, `contains`/`startsWith`/
 * `fuzzy`/`phrase` are TEXT, `withinRadius` is GEO, `knn`/`vectorRange` are VECTOR.
 */
export class FieldRef {
  constructor(readonly name: string) {}

  private range(min: number, max: number, minExclusive: boolean, maxExclusive: boolean): Query {
    return new Query({ kind: "range", field: this.name, min, max, minExclusive, maxExclusive });
  }

  /** value > n */
  gt(n: number): Query {
    return this.range(finite("value", n), Number.POSITIVE_INFINITY, true, false);
  }
  /** value >= n */
  gtEq(n: number): Query {
    return this.range(finite("value", n), Number.POSITIVE_INFINITY, false, false);
  }
  /** value < n */
  lt(n: number): Query {
    return this.range(Number.NEGATIVE_INFINITY, finite("value", n), false, true);
  }
  /** value <= n */
  ltEq(n: number): Query {
    return this.range(Number.NEGATIVE_INFINITY, finite("value", n), false, false);
  }
  /** Alias of gtEq (Polars spells both). */
  gte(n: number): Query {
    return this.gtEq(n);
  }
  /** Alias of ltEq. */
  lte(n: number): Query {
    return this.ltEq(n);
  }

  /** min <= value <= max; `closed` says which ends are included ["both"]. */
  between(min: number, max: number, closed: "both" | "left" | "right" | "none" = "both"): Query {
    finite("min", min);
    finite("max", max);
    if (min > max) invalid("between", `min (${min}) is greater than max (${max})`);
    return this.range(
      min,
      max,
      closed === "right" || closed === "none",
      closed === "left" || closed === "none",
    );
  }

  /** A number: NUMERIC equality (`[v v]`). A string or boolean: the TAG equals it. */
  eq(value: number | string | boolean): Query {
    if (typeof value === "number") return this.range(finite("value", value), value, false, false);
    return new Query({ kind: "tag", field: this.name, values: [tagValue(value)] });
  }

  /** The negation of eq(). */
  neq(value: number | string | boolean): Query {
    return this.eq(value).not();
  }

  /** TAG is one of the values (`@f:{a|b}`); numbers become NUMERIC equalities OR-ed together. */
  isIn(values: ReadonlyArray<string | number | boolean>): Query {
    if (!Array.isArray(values) || values.length === 0) invalid("values", "expected a non-empty array");
    if (values.every((value) => typeof value === "number")) {
      const nodes: QueryNode[] = (values as number[]).map((value) => this.eq(value).node);
      return nodes.length === 1 ? new Query(nodes[0]!) : new Query({ kind: "or", children: nodes });
    }
    return new Query({ kind: "tag", field: this.name, values: values.map(tagValue) });
  }

  /** The TAG field holds `tag` (multi-valued tags: any of its values). */
  hasTag(tag: string): Query {
    return this.isIn([tag]);
  }

  /** The TAG field holds any of the tags. */
  hasAnyTag(tags: readonly string[]): Query {
    return this.isIn(tags);
  }

  /** TEXT contains the word (stemmed unless the field is NOSTEM). */
  contains(word: string): Query {
    return new Query({
      kind: "text",
      field: this.name,
      mode: "term",
      term: singleWord("word", word),
      distance: 0,
    });
  }

  /** TEXT has a word starting with `prefix` (`pre*`; RediSearch needs at least 2 characters). */
  startsWith(prefix: string): Query {
    const value = singleWord("prefix", prefix);
    if (value.length < 2) invalid("prefix", "RediSearch needs a prefix of at least 2 characters");
    return new Query({ kind: "text", field: this.name, mode: "prefix", term: value, distance: 0 });
  }

  /** TEXT has a word within Levenshtein `distance` (1..3) of `word` (`%word%`). */
  fuzzy(word: string, distance = 1): Query {
    if (!Number.isInteger(distance) || distance < 1 || distance > 3)
      invalid("distance", `expected 1, 2 or 3, got ${distance}`);
    return new Query({
      kind: "text",
      field: this.name,
      mode: "fuzzy",
      term: singleWord("word", word),
      distance,
    });
  }

  /**
   * TEXT holds the words as a phrase. Without options: exactly, in order (`"a b"`). With `slop`: at most that
   * many other words between them; `inOrder` keeps their order.
   */
  phrase(
    words: readonly string[],
    options: { slop?: number | undefined; inOrder?: boolean | undefined } = {},
  ): Query {
    if (!Array.isArray(words) || words.length === 0) invalid("words", "expected a non-empty array of words");
    const { slop, inOrder } = options;
    if (slop !== undefined && (!Number.isInteger(slop) || slop < 0))
      invalid("slop", `expected a non-negative integer, got ${slop}`);
    return new Query({
      kind: "phrase",
      field: this.name,
      words: words.map((word) => singleWord("words", word)),
      slop,
      inOrder,
    });
  }

  /** GEO point within `radius` `unit` of (lon, lat). */
  withinRadius(lon: number, lat: number, radius: number, unit: GeoUnit = "km"): Query {
    if (finite("lon", lon) < -180 || lon > 180) invalid("lon", `expected -180..180, got ${lon}`);
    if (finite("lat", lat) < -85.05112878 || lat > 85.05112878)
      invalid("lat", `expected -85.05..85.05, got ${lat}`);
    if (finite("radius", radius) < 0) invalid("radius", "expected a non-negative number");
    if (!UNITS.includes(unit)) invalid("unit", `expected one of ${UNITS.join(", ")}, got ${String(unit)}`);
    return new Query({ kind: "geo", field: this.name, lon, lat, radius, unit });
  }

  /** VECTOR within `radius` (distance metric of the field) of `vector`. */
  vectorRange(radius: number, vector: Float32Array | readonly number[] | Buffer): Query {
    if (finite("radius", radius) < 0) invalid("radius", "expected a non-negative number");
    return new Query({ kind: "vectorRange", field: this.name, radius, vector: vectorBytes(vector) });
  }

  /**
   * The `k` nearest neighbours of `vector` among the documents matching `filter` [all]: `(filter)=>[KNN k @f
   * $v AS score]`. The distance comes back in the `scoreAlias` field ["__vector_score"]; sort by it.
   */
  knn(
    k: number,
    vector: Float32Array | readonly number[] | Buffer,
    options: { filter?: Query; scoreAlias?: string } = {},
  ): Query {
    if (!Number.isInteger(k) || k < 1) invalid("k", `expected a positive integer, got ${k}`);
    const filter = options.filter?.node ?? { kind: "all" as const };
    if (filter.kind === "knn") invalid("filter", "a KNN filter cannot itself be a KNN query");
    return new Query({
      kind: "knn",
      field: this.name,
      k,
      vector: vectorBytes(vector),
      filter,
      scoreAlias: options.scoreAlias ?? "__vector_score",
    });
  }
}

function fieldName(name: unknown): string {
  if (typeof name !== "string" || name === "") invalid("field", "expected a non-empty field name");
  return name;
}

/** A field of the index, to build a predicate on: `col("age").gt(30)`. */
export function col(name: string): FieldRef {
  return new FieldRef(fieldName(name));
}

/** Every document (`*`). */
export function all(): Query {
  return new Query({ kind: "all" });
}

/** A word in any TEXT field. */
export function term(word: string): Query {
  return new Query({
    kind: "text",
    field: undefined,
    mode: "term",
    term: singleWord("word", word),
    distance: 0,
  });
}

/**
 * A query string written by hand, sent as is (with `params` in PARAMS; names p0, p1, ... are reserved for
 * the builder). It cannot be turned into a Polars expression.
 */
export function raw(query: string, params: Readonly<Record<string, ParamValue>> = {}): Query {
  if (typeof query !== "string" || query.trim() === "") invalid("query", "expected a non-empty query string");
  return new Query({ kind: "raw", query, params });
}

/** All of the queries. */
export function and(...queries: Query[]): Query {
  if (queries.length === 0) return all();
  return queries[0]!.and(...queries.slice(1));
}

/** Any of the queries. */
export function or(...queries: Query[]): Query {
  if (queries.length === 0) invalid("queries", "or() needs at least one query");
  return queries[0]!.or(...queries.slice(1));
}

/** Documents the query does not match. */
export function not(query: Query): Query {
  if (!(query instanceof Query))
    invalid(
      "query",
      `not() expected a query built with col(...), term(...) or raw(...), got ${describeValue(query)}`,
    );
  return query.not();
}

/** The query builder in one object: `q.col("age").gt(30)`. */
export const q = { col, all, term, raw, and, or, not } as const;
