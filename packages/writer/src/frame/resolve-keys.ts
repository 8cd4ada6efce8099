import { InvalidArgumentError } from "@polars-redis/core";
import type { DataFrame } from "nodejs-polars";
import { columnText } from "./arrow-text-column.js";
import { columnDtypes, textExpression } from "./format-column.js";
import { assertColumn } from "./require-column.js";

export interface KeyOptions {
  keyColumn?: string | undefined;
  keyPrefix?: string | undefined;
  keyTemplate?: string | undefined;
}

export interface ResolvedKeys {
  /** The key of every row, prefix applied. */
  keys: string[];
  /** Columns the keys were built from (the key column is not written as data; template columns are). */
  keyColumn: string | undefined;
}

/** The key of every row, from `keyColumn` or `keyTemplate`, with `keyPrefix`. A null key is an error. */
export function resolveKeys(frame: DataFrame, options: KeyOptions): ResolvedKeys {
  const prefix = options.keyPrefix ?? "";
  if (typeof prefix !== "string") throw new InvalidArgumentError("keyPrefix", "expected a string");
  if (options.keyTemplate !== undefined) {
    return { keys: keysFromTemplate(frame, options.keyTemplate, prefix), keyColumn: undefined };
  }
  const keyColumn = options.keyColumn ?? "_key";
  const values = textOf(frame, keyColumn, "keyColumn");
  const keys = new Array<string>(values.length);
  for (let row = 0; row < values.length; row++) {
    const value = values[row];
    if (value == null) throw nullKeyError("keyColumn", keyColumn, values);
    keys[row] = prefix + value;
  }
  return { keys, keyColumn };
}

/** Column `name` as text, through one IPC hand-over (no Series wrapper). */
function textOf(frame: DataFrame, name: string, option: string): (string | null)[] {
  assertColumn(frame, name, option);
  return columnText(frame, textExpression(name, columnDtypes(frame).get(name)!, option));
}

function nullKeyError(
  option: string,
  column: string,
  values: readonly (string | null)[],
): InvalidArgumentError {
  const nulls = values.reduce((count: number, value) => (value == null ? count + 1 : count), 0);
  const first = values.findIndex((value) => value == null);
  return new InvalidArgumentError(
    option,
    `column ${JSON.stringify(column)} has ${nulls} null value(s) (first at row ${first}); every row needs a key`,
  );
}

type TemplatePart = { text: string } | { column: string };

/** Splits "user:{id}:{{x}}" into literal text and column references; `{{`/`}}` are literal braces. */
export function parseKeyTemplate(template: string): TemplatePart[] {
  if (typeof template !== "string" || template === "") {
    throw new InvalidArgumentError("keyTemplate", 'expected a non-empty template such as "user:{id}"');
  }
  const parts: TemplatePart[] = [];
  let text = "";
  for (let i = 0; i < template.length; i++) {
    const char = template[i]!;
    if ((char === "{" || char === "}") && template[i + 1] === char) {
      text += char;
      i++;
    } else if (char === "{") {
      const end = template.indexOf("}", i + 1);
      if (end < 0)
        throw new InvalidArgumentError("keyTemplate", `unclosed "{" in ${JSON.stringify(template)}`);
      const column = template.slice(i + 1, end);
      if (column === "")
        throw new InvalidArgumentError("keyTemplate", `empty "{}" in ${JSON.stringify(template)}`);
      if (text !== "") parts.push({ text });
      text = "";
      parts.push({ column });
      i = end;
    } else if (char === "}") {
      throw new InvalidArgumentError(
        "keyTemplate",
        `unmatched "}" in ${JSON.stringify(template)} (write "}}")`,
      );
    } else {
      text += char;
    }
  }
  if (text !== "") parts.push({ text });
  if (!parts.some((part) => "column" in part)) {
    throw new InvalidArgumentError(
      "keyTemplate",
      `${JSON.stringify(template)} names no column; every row would get the same key`,
    );
  }
  return parts;
}

function keysFromTemplate(frame: DataFrame, template: string, prefix: string): string[] {
  const parts = parseKeyTemplate(template);
  const columns = new Map<string, (string | null)[]>();
  for (const part of parts) {
    if ("column" in part && !columns.has(part.column)) {
      const values = textOf(frame, part.column, "keyTemplate");
      if (values.includes(null)) throw nullKeyError("keyTemplate", part.column, values);
      columns.set(part.column, values);
    }
  }
  const keys = new Array<string>(frame.height);
  for (let row = 0; row < frame.height; row++) {
    let key = prefix;
    for (const part of parts) key += "text" in part ? part.text : columns.get(part.column)![row];
    keys[row] = key;
  }
  return keys;
}

/** From this many rows on, uniqueness is first checked by Polars (its fixed cost is about a millisecond). */
const NATIVE_UNIQUE_CHECK_ROWS = 50_000;

/**
 * `resolveKeys` for writers that take one row per key (hashes, JSON, strings): a repeated key would make the
 * result depend on row order, so it is an error.
 */
export function resolveUniqueKeys(frame: DataFrame, options: KeyOptions): ResolvedKeys {
  const resolved = resolveKeys(frame, options);
  // Distinct column values give distinct keys: on a large frame Polars counts them natively, far faster than a
  // Set of strings. Otherwise (a repeat, or values Polars counts as equal, like two NaNs) the exact check on
  // the keys decides.
  const distinct =
    resolved.keyColumn !== undefined &&
    frame.height >= NATIVE_UNIQUE_CHECK_ROWS &&
    frame.getColumn(resolved.keyColumn).nUnique() === frame.height;
  if (!distinct) {
    assertUniqueKeys(resolved.keys, options.keyTemplate === undefined ? "keyColumn" : "keyTemplate");
  }
  return resolved;
}

function assertUniqueKeys(keys: readonly string[], option: string): void {
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const key of keys) {
    if (seen.has(key)) {
      if (duplicates.length < 5 && !duplicates.includes(key)) duplicates.push(key);
    } else {
      seen.add(key);
    }
  }
  if (duplicates.length > 0) {
    const more = keys.length - seen.size > duplicates.length ? ", ..." : "";
    throw new InvalidArgumentError(
      option,
      `${keys.length - seen.size} row(s) repeat a key (${duplicates.map((key) => JSON.stringify(key)).join(", ")}${more}); this writer takes one row per key`,
    );
  }
}
