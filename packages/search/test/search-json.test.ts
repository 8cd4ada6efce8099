import {
  connect,
  deleteKeysMatching,
  InvalidArgumentError,
  type RedisConnection,
  type RedisReply,
} from "@polars-redis/core";
import { InMemoryModules } from "@polars-redis/testkit";
import pl from "nodejs-polars";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIndex, createIndexArgs, dropIndex, field, searchJson, waitForIndex } from "../src/index.js";
import { CREATE_ITEM_INDEX, ITEM_1, ITEM_2, SEARCH_REPLIES } from "./fixtures/redisearch-json-replies.js";

const DOCUMENTS: Record<string, string> = { "item:1": ITEM_1, "item:2": ITEM_2 };

/** FT.SEARCH with the reference page's replies (LIMIT and NOCONTENT applied). */
function ftSearch([name, ...args]: readonly string[]): RedisReply {
  if (name !== "FT.SEARCH") throw new Error(`unexpected ${name}`);
  const reply = SEARCH_REPLIES[args[1]!];
  if (reply === undefined) throw new Error(`no fixture for query ${args[1]}`);
  const limit = args.indexOf("LIMIT");
  const [offset, count] = [Number(args[limit + 1]), Number(args[limit + 2])];
  const noContent = args.includes("NOCONTENT");
  const docs: RedisReply[] = [];
  for (let i = 1; i < reply.length; i += 2) {
    docs.push(reply[i] as string);
    if (!noContent) docs.push(reply[i + 1] as RedisReply);
  }
  const width = noContent ? 1 : 2;
  return [reply[0] as number, ...docs.slice(offset * width, (offset + count) * width)];
}

/**
 * A connection answering as RediSearch + RedisJSON 2 would: FT.SEARCH from the reference page's replies, JSON.GET
 * by testkit's in-memory RedisJSON model (one path: its array of matches; several: an object of such arrays keyed
 * by path). Every command is recorded in `sent`.
 */
const jsonServer = () =>
  new InMemoryModules({
    documents: Object.entries(DOCUMENTS).map(([key, text]) => [key, JSON.parse(text)] as const),
    respond: ftSearch,
  });

const SCHEMA = { name: pl.Utf8, price: pl.Float64, stock: pl.Int64, colors: pl.List(pl.Utf8) };

describe("searchJson on reply fixtures from the RediSearch reference", () => {
  it("builds the reference page's FT.CREATE ... ON JSON with $.path AS alias fields", () => {
    expect(
      createIndexArgs({
        name: "itemIdx",
        on: "json",
        prefixes: ["item:"],
        fields: [
          field.text("$.name", { as: "name" }),
          field.text("$.description", { as: "description" }),
          field.numeric("$.price", { as: "price" }),
        ],
      }),
    ).toEqual(CREATE_ITEM_INDEX);
    expect(() => createIndexArgs({ name: "itemIdx", on: "json", fields: [field.text("$.name")] })).toThrow(
      /needs an alias/,
    );
  });

  it("reads whole documents from the FT.SEARCH page (`$`), typed, and sends nothing else", async () => {
    const server = jsonServer();
    const frame = await searchJson(server, {
      index: "itemIdx",
      query: "@description:(bluetooth headphones)",
      schema: SCHEMA,
    });
    expect(frame.columns).toEqual(["_key", "name", "price", "stock", "colors"]);
    expect(frame.getColumn("stock").dtype).toEqual(pl.Int64);
    expect(frame.toRecords()).toEqual([
      {
        _key: "item:1",
        name: "Noise-cancelling Bluetooth headphones",
        price: 99.98,
        stock: 25,
        colors: ["black", "silver"],
      },
      { _key: "item:2", name: "Wireless earbuds", price: 64.99, stock: 17, colors: ["black", "white"] },
    ]);
    expect(server.sent.map((command) => command.map(String))).toEqual([
      [
        "FT.SEARCH",
        "itemIdx",
        "@description:(bluetooth headphones)",
        "LIMIT",
        "0",
        "1000",
        "TIMEOUT",
        "0",
        "DIALECT",
        "2",
      ],
    ]);
  });

  it("pages with LIMIT, and reads nested paths with JSON.GET per page (NOCONTENT pages)", async () => {
    const server = jsonServer();
    const frame = await searchJson(server, {
      index: "itemIdx",
      query: "@description:(bluetooth headphones)",
      schema: { name: pl.Utf8, wireless: pl.Bool, kind: pl.Utf8 },
      paths: { wireless: "$.connection.wireless", kind: "$.connection.type" },
      batchSize: 1,
      includeKey: false,
    });
    expect(frame.toRecords()).toEqual([
      { name: "Noise-cancelling Bluetooth headphones", wireless: true, kind: "Bluetooth" },
      { name: "Wireless earbuds", wireless: true, kind: "Bluetooth" },
    ]);
    const sent = server.sent.map((command) => command.map(String));
    expect(sent.filter(([name]) => name === "FT.SEARCH").map((c) => c.slice(3, 7))).toEqual([
      ["NOCONTENT", "LIMIT", "0", "1"],
      ["NOCONTENT", "LIMIT", "1", "1"],
    ]);
    expect(sent.filter(([name]) => name === "JSON.GET")).toEqual([
      ["JSON.GET", "item:1", "$.name", "$.connection.wireless", "$.connection.type"],
      ["JSON.GET", "item:2", "$.name", "$.connection.wireless", "$.connection.type"],
    ]);
  });

  it("returns the typed empty frame, and the scores on request", async () => {
    const server = jsonServer();
    const empty = await searchJson(server, {
      index: "itemIdx",
      query: "@name:(earbuds)",
      schema: SCHEMA,
      offset: 5,
      includeScore: true,
    });
    expect(empty.height).toBe(0);
    expect(empty.columns).toEqual(["_key", "name", "price", "stock", "colors", "_score"]);
    expect(empty.getColumn("price").dtype).toEqual(pl.Float64);
  });

  it("refuses bad JSON options before anything is sent", async () => {
    const server = jsonServer();
    for (const options of [
      { schema: { name: pl.Utf8 }, paths: { name: ".name" } },
      { schema: { name: pl.Utf8 }, columns: ["nope"] },
      { schema: { name: "integer" } },
    ]) {
      const error = await searchJson(server, { index: "itemIdx", query: "*", ...options } as never).catch(
        (e: unknown) => e,
      );
      expect(InvalidArgumentError.isInstance(error), String(error)).toBe(true);
    }
    expect(server.sent).toEqual([]);
  });
});

/** The live lane: the same expectations on Redis Stack / Redis 8 when REDIS_STACK_URL points at one. */
const url = process.env.REDIS_STACK_URL;
if (!url) console.info("search-json live lane: skipped, REDIS_STACK_URL is not set (no RedisJSON 2 here)");

describe.runIf(url)("searchJson live lane (RediSearch + RedisJSON 2)", () => {
  const tag = `prs-json-${process.pid}-${Date.now()}`;
  const prefix = `${tag}:item:`;
  let conn: RedisConnection;

  beforeAll(async () => {
    conn = await connect(url!);
    await createIndex(conn, {
      name: tag,
      on: "json",
      prefixes: [prefix],
      fields: [
        field.text("$.name", { as: "name" }),
        field.text("$.description", { as: "description" }),
        field.numeric("$.price", { as: "price" }),
      ],
    });
    await conn.call("JSON.SET", `${prefix}1`, "$", ITEM_1);
    await conn.call("JSON.SET", `${prefix}2`, "$", ITEM_2);
    await waitForIndex(conn, tag);
  });
  afterAll(async () => {
    if (conn) {
      await dropIndex(conn, tag).catch(() => undefined);
      await deleteKeysMatching(conn, `${tag}:*`);
    }
    await conn?.close();
  });

  it("answers the reference queries as the fixtures say", async () => {
    for (const [query, reply] of Object.entries(SEARCH_REPLIES)) {
      const frame = await searchJson(conn, { index: tag, query, schema: SCHEMA });
      expect(frame.height, query).toBe(reply[0]);
    }
    const cheap = await searchJson(conn, {
      index: tag,
      query: "@description:(bluetooth headphones) @price:[0 70]",
      schema: { name: pl.Utf8, kind: pl.Utf8 },
      paths: { kind: "$.connection.type" },
    });
    expect(cheap.toRecords()).toEqual([{ _key: `${prefix}2`, name: "Wireless earbuds", kind: "Bluetooth" }]);
  });
});
