import { InvalidArgumentError } from "../../errors/invalid-argument-error.js";

/** A JSONPath a column reads, and whether it can match more than one value. */
export interface ColumnPath {
  readonly path: string;
  /**
   * A definite path (`$.a.b`, `$.tags[0]`, `$["a b"]`) names at most one value. An indefinite one (wildcards
   * `*`, recursive descent `..`, filters `[?(...)]`, slices `[1:3]`, unions `[0,2]`) can match several.
   */
  readonly definite: boolean;
}

const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The path of a top-level field: `$.name`, or `$["odd name"]` when the name is not a plain identifier. */
export function fieldPath(name: string): string {
  return PLAIN_NAME.test(name) ? `$.${name}` : `$[${JSON.stringify(name)}]`;
}

/**
 * Checks a user's JSONPath (it must start with `$`: the legacy `.a.b` syntax answers differently and is not
 * accepted) and classifies it. Throws an InvalidArgumentError naming `argument`.
 */
export function parseColumnPath(path: unknown, argument: string): ColumnPath {
  if (typeof path !== "string" || !path.startsWith("$")) {
    throw new InvalidArgumentError(
      argument,
      `expected a JSONPath starting with "$" such as "$.address.city", got ${JSON.stringify(path)}`,
    );
  }
  let definite = true;
  let depth = 0;
  let quote: string | undefined;
  for (let index = 1; index < path.length; index++) {
    const char = path[index]!;
    if (quote !== undefined) {
      if (char === "\\") index++;
      else if (char === quote) quote = undefined;
      continue;
    }
    if (char === "'" || char === '"') quote = char;
    else if (char === "[") depth++;
    else if (char === "]") depth--;
    else if (char === "*" || char === "?") definite = false;
    else if (char === "." && path[index + 1] === ".") definite = false;
    else if (depth > 0 && (char === ":" || char === ",")) definite = false;
    if (depth < 0) break;
  }
  if (quote !== undefined || depth !== 0) {
    throw new InvalidArgumentError(
      argument,
      `unbalanced quotes or brackets in JSONPath ${JSON.stringify(path)}`,
    );
  }
  return { path, definite };
}

/** True when `path` is the default path of a top-level field (then the whole document can answer it). */
export function isTopLevelFieldPath(path: string, name: string): boolean {
  return path === fieldPath(name) || path === `$["${name}"]` || path === `$['${name}']`;
}
