import type { Command } from "../../connection/redis-connection.js";
import { dtypeLabel, requireScalarDtype } from "../../schema/dtype.js";
import type { ColumnBuilder } from "../columns/column-builder.js";
import type { ColumnData } from "../columns/column-data.js";
import { createColumnBuilder } from "../columns/create-column-builder.js";
import { skipWrongType } from "../reply-errors.js";
import type { ColumnSpec, ReadContext, RowChunk, ScanReader } from "../scan-reader.js";
import type { JsonColumn } from "./json-column.js";
import { isTopLevelFieldPath } from "./json-path.js";
import { leafText, toJsonText } from "./json-text.js";
import { NestedColumnBuilder } from "./nested-column-builder.js";
import { normalizeNested } from "./normalize-nested.js";
import { parseJsonText } from "./parse-json-text.js";

/**
 * RedisJSON documents: one row per document, one column per schema field or JSONPath.
 *
 * When every column is a top-level field and nothing is projected away, one `JSON.GET key $` fetches the whole
 * document. Otherwise `JSON.GET key path...` fetches only the columns' paths (RedisJSON answers one path with
 * the array of its matches, several paths with an object of such arrays keyed by path). A definite path gives
 * its one match (or null); an indefinite path (`$.tags[*]`, `$..price`) gives all its matches as a List column,
 * or its single match for a flat column (several matches for a flat column are a schema mismatch).
 */
export class JsonReader implements ScanReader {
  readonly keyType = "ReJSON-RL" as const;
  readonly columns: readonly ColumnSpec[];
  private readonly jsonColumns: readonly JsonColumn[];
  /** The paths sent, distinct, in order; empty when the whole document (`$`) is fetched. */
  private readonly paths: readonly string[];

  constructor(columns: readonly JsonColumn[], options: { projected: boolean }) {
    this.jsonColumns = columns;
    this.columns = columns.map((column) => ({ name: column.name, dtype: column.dtype }));
    const wholeDocument =
      !options.projected && columns.every((column) => isTopLevelFieldPath(column.path, column.name));
    this.paths = wholeDocument ? [] : [...new Set(columns.map((column) => column.path))];
  }

  /** The command for one key (exposed for tests and docs). */
  command(key: string): Command {
    return this.paths.length === 0 ? ["JSON.GET", key, "$"] : ["JSON.GET", key, ...this.paths];
  }

  async *readBatch(keys: readonly string[], context: ReadContext): AsyncGenerator<RowChunk> {
    const replies = await context.batch(keys.map((key) => this.command(key)));
    const flat: (ColumnBuilder | undefined)[] = this.jsonColumns.map((column) =>
      column.nested
        ? undefined
        : createColumnBuilder(requireScalarDtype(column.dtype, column.name), keys.length),
    );
    const nestedColumns = this.jsonColumns.filter((column) => column.nested);
    const nested =
      nestedColumns.length > 0
        ? new NestedColumnBuilder(nestedColumns.map((column) => column.dtype))
        : undefined;
    const keyIndexes = new Int32Array(keys.length);
    let rows = 0;
    for (let k = 0; k < keys.length; k++) {
      const reply = replies[k]!;
      if (skipWrongType(reply, context)) continue;
      if (reply === null) {
        context.keyMissing();
        continue;
      }
      const text = Buffer.isBuffer(reply) ? reply.toString("utf8") : String(reply);
      context.addBytes(Buffer.isBuffer(reply) ? reply.length : Buffer.byteLength(text));
      const values = this.columnValues(parseJsonText(text), keys[k]!, context);
      const nestedValues: unknown[] = [];
      this.jsonColumns.forEach((column, c) => {
        const value = values[c];
        if (column.nested) {
          nestedValues.push(this.normalize(value, column, keys[k]!, context));
          return;
        }
        const builder = flat[c]!;
        if (value === null || value === undefined) builder.appendNull();
        else context.coercion.append(builder, leafText(value), keys[k]!, column.name);
      });
      nested?.appendRow(nestedValues);
      keyIndexes[rows++] = k;
    }
    const nestedSeries = nested?.finish() ?? [];
    let n = 0;
    const columns: ColumnData[] = this.jsonColumns.map((column, c) =>
      column.nested ? prebuiltColumn(nestedSeries[n++]!, column) : flat[c]!.finish(),
    );
    yield { rowCount: rows, keyIndexes: keyIndexes.subarray(0, rows), columns };
  }

  /** Each column's value in one reply (undefined when absent). */
  private columnValues(reply: unknown, key: string, context: ReadContext): unknown[] {
    if (this.paths.length === 0) {
      // `$` answers [document].
      const document = Array.isArray(reply) ? reply[0] : undefined;
      const fields =
        document !== null && typeof document === "object" && !Array.isArray(document)
          ? (document as Record<string, unknown>)
          : {};
      // Own fields only: a document without "constructor" must not yield Object.prototype's function.
      return this.jsonColumns.map((column) =>
        Object.hasOwn(fields, column.name) ? fields[column.name] : undefined,
      );
    }
    const matchesByPath = (path: string): unknown[] => {
      // One path: the reply is its array of matches; several: an object of such arrays keyed by path.
      const matches = this.paths.length === 1 ? reply : (reply as Record<string, unknown> | null)?.[path];
      return Array.isArray(matches) ? matches : [];
    };
    return this.jsonColumns.map((column) => {
      const matches = matchesByPath(column.path);
      if (column.definite) return matches[0];
      if (column.dtype.kind === "list") return matches;
      if (matches.length <= 1) return matches[0];
      context.coercion.reject(
        toJsonText(matches),
        key,
        column.name,
        `${dtypeLabel(column.dtype)} (the path matched ${matches.length} values; a List dtype keeps them all)`,
      );
      return undefined;
    });
  }

  private normalize(value: unknown, column: JsonColumn, key: string, context: ReadContext): unknown {
    if (value === null || value === undefined) return null;
    const result = normalizeNested(value, column.dtype);
    if ("value" in result) return result.value;
    const { at, rawValue, expected } = result.mismatch;
    context.coercion.reject(rawValue, key, `${column.name}${at}`, expected, column.name);
    return null;
  }
}

function prebuiltColumn(series: import("nodejs-polars").Series, column: JsonColumn): ColumnData {
  return {
    dtype: column.dtype,
    length: series.length,
    values: [],
    validity: null,
    nullCount: series.nullCount(),
    series,
  };
}
