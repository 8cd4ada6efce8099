import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import { describeValue, isPromiseLike, looksLikeDataFrame } from "./describe-value.js";
import { didYouMean } from "./did-you-mean.js";

/**
 * Checks an options argument: undefined becomes `{}`; anything but a plain object, and any key not in
 * `known`, throws an InvalidArgumentError before anything is sent. JavaScript callers get no compile-time
 * check, so `patern: "user:*"` would otherwise scan every key: the error names the function and suggests
 * the closest known option ("did you mean \"pattern\"?").
 *
 * Keys whose value is `undefined` are accepted whatever their name (spreading optional settings is common).
 */
export function checkOptions<T extends object>(
  options: T | undefined,
  known: Iterable<string>,
  where: { function: string; argument?: string },
): T {
  const argument = where.argument ?? "options";
  if (options === undefined) return {} as T;
  if (
    options === null ||
    typeof options !== "object" ||
    Array.isArray(options) ||
    isNotPlain(options) ||
    looksLikeDataFrame(options) ||
    isPromiseLike(options)
  ) {
    throw new InvalidArgumentError(
      argument,
      `${where.function} expected an options object, got ${describeValue(options)}`,
    );
  }
  const knownSet = known instanceof Set ? (known as Set<string>) : new Set(known);
  for (const key of Object.keys(options)) {
    if (knownSet.has(key) || (options as Record<string, unknown>)[key] === undefined) continue;
    throw new InvalidArgumentError(
      argument === "options" ? key : `${argument}.${key}`,
      `unknown option of ${where.function}${didYouMean(key, knownSet)} (known: ${[...knownSet].sort().join(", ")})`,
    );
  }
  return options;
}

/** A class instance (a DataFrame, a connection, a Map) passed where options belong. */
function isNotPlain(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype !== null && prototype !== Object.prototype && Object.getPrototypeOf(prototype) !== null;
}
