import { createHash, type Hash } from "node:crypto";
import { InvalidArgumentError } from "@polars-redis/core";
import { describeValue } from "@polars-redis/core/internal";
import type pl from "nodejs-polars";
import { schemaEntries } from "./codec.js";

/**
 * A content hash of a call's arguments, the same in every process and on every run: primitives by type and
 * value, arrays in order, plain objects by sorted key (an undefined property counts as absent), Maps and Sets
 * whatever their insertion order, Dates by time, Buffers and typed arrays by bytes, and DataFrames / Series /
 * LazyFrames by content: schema, height and polars' per-row hashes (chunk layout does not matter). Trailing
 * undefined arguments are dropped, so `f(1)` and `f(1, undefined)` share an entry.
 *
 * Anything else (functions, symbols, class instances) throws InvalidArgumentError: hashing it by its printed
 * form would silently make different arguments collide. Pass a `key` function for such arguments.
 */
export async function hashArguments(args: readonly unknown[]): Promise<string> {
  if (!Array.isArray(args)) {
    throw new InvalidArgumentError(
      "args",
      `hashArguments expected the call's arguments as an array, got ${describeValue(args)}`,
    );
  }
  let length = args.length;
  while (length > 0 && args[length - 1] === undefined) length--;
  const hash = createHash("sha256");
  hash.update(`A${length};`);
  for (let index = 0; index < length; index++)
    await feed(hash, args[index], `arguments[${index}]`, new Set());
  return hash.digest("hex").slice(0, 32);
}

async function feed(hash: Hash, value: unknown, path: string, seen: Set<object>): Promise<void> {
  switch (typeof value) {
    case "undefined":
      hash.update("u;");
      return;
    case "boolean":
      hash.update(value ? "T;" : "F;");
      return;
    case "number":
      hash.update(`n${Object.is(value, -0) ? "-0" : String(value)};`);
      return;
    case "bigint":
      hash.update(`i${value.toString()};`);
      return;
    case "string":
      hash.update(`s${Buffer.byteLength(value)}:`);
      hash.update(value);
      return;
    case "object":
      break;
    default:
      throw unhashable(path, `a ${typeof value}`);
  }
  if (value === null) {
    hash.update("z;");
    return;
  }
  if (seen.has(value)) throw unhashable(path, "a circular reference");
  seen.add(value);
  try {
    await feedObject(hash, value, path, seen);
  } finally {
    seen.delete(value);
  }
}

async function feedObject(hash: Hash, value: object, path: string, seen: Set<object>): Promise<void> {
  if (Array.isArray(value)) {
    hash.update(`a${value.length}[`);
    for (let index = 0; index < value.length; index++)
      await feed(hash, value[index], `${path}[${index}]`, seen);
    hash.update("]");
    return;
  }
  if (value instanceof Date) {
    hash.update(`d${value.getTime()};`);
    return;
  }
  if (ArrayBuffer.isView(value)) {
    hash.update(`b${value.constructor.name}${value.byteLength}:`);
    hash.update(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    return;
  }
  if (value instanceof Map) {
    const entries = await Promise.all(
      [...value].map(async ([key, item], index) => [
        await digest(key, `${path}.keys[${index}]`, seen),
        await digest(item, `${path}.get(${index})`, seen),
      ]),
    );
    entries.sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0));
    hash.update(`m${entries.length}{${entries.map((pair) => pair.join("=")).join(",")}}`);
    return;
  }
  if (value instanceof Set) {
    const items = await Promise.all(
      [...value].map((item, index) => digest(item, `${path}[set ${index}]`, seen)),
    );
    items.sort();
    hash.update(`S${items.length}{${items.join(",")}}`);
    return;
  }
  if (isDataFrame(value)) {
    feedFrame(hash, "f", value);
    return;
  }
  if (isSeries(value)) {
    feedFrame(hash, "r", value.toFrame());
    return;
  }
  if (isLazyFrame(value)) {
    feedFrame(hash, "l", await value.collect());
    return;
  }
  const prototype = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
  if (prototype !== Object.prototype && prototype !== null) {
    throw unhashable(path, `an instance of ${prototype.constructor?.name ?? "a class"}`);
  }
  const keys = Object.keys(value)
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .sort();
  hash.update(`o${keys.length}{`);
  for (const key of keys) {
    hash.update(`${Buffer.byteLength(key)}:`);
    hash.update(key);
    await feed(hash, (value as Record<string, unknown>)[key], `${path}.${key}`, seen);
  }
  hash.update("}");
}

async function digest(value: unknown, path: string, seen: Set<object>): Promise<string> {
  const hash = createHash("sha256");
  await feed(hash, value, path, seen);
  return hash.digest("hex");
}

/** Schema (names and dtypes), height, then polars' row hashes: equal contents give equal bytes, whatever the chunks. */
function feedFrame(hash: Hash, tag: string, frame: pl.DataFrame): void {
  const schema = schemaEntries(frame);
  hash.update(`${tag}${JSON.stringify(schema)}#${frame.height}:`);
  if (frame.height === 0 || frame.width === 0) return;
  const rows = frame.hashRows().toArray() as unknown as bigint[] | BigUint64Array;
  const words = rows instanceof BigUint64Array ? rows : BigUint64Array.from(rows);
  hash.update(new Uint8Array(words.buffer, words.byteOffset, words.byteLength));
}

function isDataFrame(value: object): value is pl.DataFrame {
  const candidate = value as { hashRows?: unknown; writeIPC?: unknown; lazy?: unknown };
  return (
    typeof candidate.hashRows === "function" &&
    typeof candidate.writeIPC === "function" &&
    typeof candidate.lazy === "function"
  );
}

function isSeries(value: object): value is pl.Series {
  const candidate = value as { toFrame?: unknown; dtype?: unknown; isNull?: unknown };
  return (
    typeof candidate.toFrame === "function" &&
    typeof candidate.isNull === "function" &&
    candidate.dtype != null
  );
}

function isLazyFrame(value: object): value is pl.LazyDataFrame {
  const candidate = value as { collect?: unknown; collectSync?: unknown; describePlan?: unknown };
  return (
    typeof candidate.collect === "function" &&
    typeof candidate.collectSync === "function" &&
    typeof candidate.describePlan === "function"
  );
}

function unhashable(path: string, what: string): InvalidArgumentError {
  return new InvalidArgumentError(
    path,
    `is ${what}, which has no stable content hash; pass options.key to build the cache key yourself`,
  );
}
