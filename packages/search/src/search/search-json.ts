import {
  type BatchOptions,
  type BatchReply,
  type Command,
  InvalidArgumentError,
  type JsonScanOptions,
  type RedisArgument,
  type RedisConnection,
  readJson,
  type SchemaInput,
} from "@polars-redis/core";
import pl, { type DataFrame } from "nodejs-polars";
import { checkCall, JSON_SEARCH_OPTION_NAMES } from "../internal/option-names.js";
import {
  checkCluster,
  limitPages,
  type Page,
  type ResolvedSearch,
  resolveSearch,
  type SearchOptions,
} from "./search-hashes.js";

/** `searchJson`'s options: those of `searchHashes`, with columns read like core's `readJson`. */
export interface JsonSearchOptions extends Omit<SearchOptions, "schema" | "columns"> {
  /**
   * Column → dtype, as in core's `readJson` (flat dtypes, `pl.List(...)`, `pl.Struct({...})`). Required unless
   * `columns` is given.
   */
  readonly schema?: SchemaInput | undefined;
  /** Column → JSONPath for columns that are not top-level fields of that name (`{ city: "$.address.city" }`). */
  readonly paths?: Readonly<Record<string, string>> | undefined;
  /** Read only these columns (top-level fields of that name, or `paths` entries). */
  readonly columns?: readonly string[] | undefined;
}

/**
 * Searches an index `ON JSON` and returns the matching documents as one typed DataFrame, columns read exactly
 * as core's `readJson` reads them (same schema, `paths`, nested dtypes, coercion and errors).
 *
 * When every column is a top-level field of its name (no `paths` elsewhere, no `columns`), each FT.SEARCH page
 * brings the documents themselves (RediSearch answers `$` → the document as JSON text) and nothing else is sent.
 * Otherwise pages are read with NOCONTENT and the columns' paths are fetched with `JSON.GET key path...`, one
 * pipelined batch per page (a document deleted in between is left out, as readJson leaves out missing keys).
 */
export async function searchJson(conn: RedisConnection, options: JsonSearchOptions): Promise<DataFrame> {
  checkCall("searchJson", conn, options, JSON_SEARCH_OPTION_NAMES);
  if (options === null || typeof options !== "object")
    throw new InvalidArgumentError("options", "expected an options object");
  const { schema, paths, columns, ...rest } = options;
  const s = resolveSearch({
    ...rest,
    // The page brings `$` (whole documents) or nothing (NOCONTENT); readJson builds the columns.
    columns: wholeDocuments(options) ? undefined : [],
  });
  const keyColumn = s.keyColumn ?? "_key";
  const jsonOptions: JsonScanOptions = {
    ...(schema !== undefined ? { schema } : {}),
    ...(paths !== undefined ? { paths } : {}),
    ...(columns !== undefined ? { columns } : {}),
    includeKey: true,
    keyColumn,
    onError: s.onError,
  };
  // Checks schema, paths and columns (InvalidArgumentError) before anything is sent; it is also the empty
  // result's frame.
  const empty = await readJson(new PageDocuments(conn, new Map()), { ...jsonOptions, keys: [] });

  await checkCluster(conn, s.index);
  const frames: DataFrame[] = [];
  for await (const page of jsonPages(conn, s)) {
    const documents = new Map<string, string>();
    if (s.returnFields === undefined)
      page.keys.forEach((key, i) => {
        const text = documentText(page.fields[i] ?? null);
        if (text !== undefined) documents.set(key, text);
      });
    let frame = await readJson(new PageDocuments(conn, documents), {
      ...jsonOptions,
      keys: page.keys,
      batchSize: Math.max(1, page.keys.length),
      signal: s.signal,
    });
    if (s.scoreColumn !== undefined) {
      const scoreOf = new Map(page.keys.map((key, i) => [key, page.scores[i]!]));
      const keys = frame.getColumn(keyColumn).toArray() as string[];
      frame = frame.withColumns(
        pl.Series(
          s.scoreColumn,
          Float64Array.from(keys, (key) => scoreOf.get(key) ?? Number.NaN),
          pl.Float64,
        ),
      );
    }
    frames.push(frame);
  }
  let frame =
    frames.length === 0 ? withScore(empty, s) : frames.length === 1 ? frames[0]! : pl.concat(frames);
  if (s.keyColumn === undefined) frame = frame.drop(keyColumn);
  return frame;
}

function withScore(frame: DataFrame, s: ResolvedSearch): DataFrame {
  if (s.scoreColumn === undefined) return frame;
  return frame.withColumns(pl.Series(s.scoreColumn, new Float64Array(0), pl.Float64));
}

/** True when readJson would read every column from the whole document (`JSON.GET key $`). */
function wholeDocuments(options: JsonSearchOptions): boolean {
  if (options.columns !== undefined) return false;
  if (options.paths === undefined) return true;
  if (options.paths === null || typeof options.paths !== "object") return false;
  return Object.entries(options.paths).every(([name, path]) => path === `$.${name}`);
}

/** The document of one FT.SEARCH result on a JSON index: its fields are `["$", "<document as JSON text>"]`. */
function documentText(fields: Page["fields"][number]): string | undefined {
  if (fields === null) return undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i];
    if ((Buffer.isBuffer(name) ? name.toString("utf8") : String(name)) === "$") {
      const value = fields[i + 1];
      return Buffer.isBuffer(value) ? value.toString("utf8") : String(value);
    }
  }
  return undefined;
}

/** LIMIT pages of FT.SEARCH over the JSON index (documents, or NOCONTENT keys). */
function jsonPages(conn: RedisConnection, s: ResolvedSearch): AsyncGenerator<Page> {
  return limitPages(conn, s, s.returnFields === undefined);
}

/**
 * The connection readJson reads a page through: `JSON.GET key $` for a document the FT.SEARCH page brought is
 * answered from it (as RedisJSON would: a one-element array holding the document); everything else goes to the
 * real connection.
 */
class PageDocuments implements RedisConnection {
  readonly kind: RedisConnection["kind"];

  constructor(
    private readonly conn: RedisConnection,
    private readonly documents: ReadonlyMap<string, string>,
  ) {
    this.kind = conn.kind;
  }

  call(command: string, ...args: RedisArgument[]) {
    return this.conn.call(command, ...args);
  }

  callBuffer(command: string, ...args: RedisArgument[]) {
    return this.conn.callBuffer(command, ...args);
  }

  async batch(commands: readonly Command[], options?: BatchOptions): Promise<BatchReply[]> {
    const replies: BatchReply[] = new Array(commands.length);
    const forwarded: number[] = [];
    commands.forEach((command, i) => {
      const document =
        command.length === 3 && String(command[0]).toUpperCase() === "JSON.GET" && String(command[2]) === "$"
          ? this.documents.get(String(command[1]))
          : undefined;
      if (document !== undefined) replies[i] = `[${document}]`;
      else forwarded.push(i);
    });
    if (forwarded.length > 0) {
      const answers = await this.conn.batch(
        forwarded.map((i) => commands[i]!),
        options,
      );
      forwarded.forEach((i, n) => {
        replies[i] = answers[n]!;
      });
    }
    return replies;
  }

  scanKeys(options?: Parameters<RedisConnection["scanKeys"]>[0]) {
    return this.conn.scanKeys(options);
  }

  duplicate(): Promise<RedisConnection> {
    return this.conn.duplicate();
  }

  async close(): Promise<void> {
    // The caller's connection stays open.
  }
}
