import { describe, expect, it } from "vitest";
import { HashReplyDecoder, RespReader, toKeyPage } from "../src/internal.js";

function bulk(value: string | Buffer | null): Buffer {
  if (value === null) return Buffer.from("$-1\r\n");
  const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : value;
  return Buffer.concat([Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from("\r\n")]);
}

function array(items: (string | Buffer | null)[]): Buffer {
  return Buffer.concat([Buffer.from(`*${items.length}\r\n`), ...items.map(bulk)]);
}

function rowsOf(decoder: HashReplyDecoder): (string | null)[][] {
  const text = (column: (typeof decoder)["keyColumn"], row: number): string | null =>
    column.validity[row] === 0
      ? null
      : Buffer.from(column.data.subarray(column.offsets[row]!, column.offsets[row + 1]!)).toString("utf8");
  return Array.from({ length: decoder.rows }, (_, row) => [
    text(decoder.keyColumn, row),
    ...decoder.fieldColumns.map((column) => text(column, row)),
  ]);
}

/** Feeds `stream` in pieces of `size` bytes (1 = every possible cut of every reply) through a RespReader. */
function feed(
  decoder: HashReplyDecoder,
  stream: Buffer,
  size: number,
  reader = new RespReader(decoder),
): number {
  for (let at = 0; at < stream.length; at += size) reader.push(stream.subarray(at, at + size));
  return reader.replies;
}

describe("HashReplyDecoder, HMGET replies", () => {
  const keys = ["user:1", "user:2", "clé:3", "user:4"];
  const stream = Buffer.concat([
    array(["Ada", "36", "🚀 Zürich"]),
    array([null, "7", ""]),
    Buffer.from("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    array([null, null, null]),
  ]);

  for (const size of [1, 2, 3, 7, 64, stream.length]) {
    it(`decodes positional values, nils, empty strings, UTF-8 and errors in chunks of ${size} bytes`, () => {
      const decoder = new HashReplyDecoder(["name", "age", "city"], "hmget", 2);
      decoder.expectKeys(toKeyPage(keys));
      expect(feed(decoder, stream, size)).toBe(4);
      expect(decoder.pendingReplies).toBe(0);
      expect(rowsOf(decoder)).toEqual([
        ["user:1", "Ada", "36", "🚀 Zürich"],
        ["user:2", null, "7", ""],
        ["user:4", null, null, null],
      ]);
      expect(decoder.errors).toEqual([{ key: "clé:3", message: expect.stringMatching(/^WRONGTYPE/) }]);
      expect(decoder.allNullRows).toEqual([2]);
    });
  }

  it("keeps binary values byte for byte", () => {
    const binary = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x80, 0x24]);
    const decoder = new HashReplyDecoder(["blob"], "hmget");
    decoder.expectKeys(toKeyPage(["k"]));
    feed(decoder, array([binary]), 1);
    const column = decoder.fieldColumns[0]!;
    expect(Buffer.from(column.data.subarray(0, column.byteLength))).toEqual(binary);
  });

  it("refuses a reply nobody asked for", () => {
    const decoder = new HashReplyDecoder(["a"], "hmget");
    expect(() => feed(decoder, array(["x"]), 64)).toThrow(/no command was written/);
  });
});

describe("HashReplyDecoder, HGETALL replies", () => {
  const stream = Buffer.concat([
    array(["age", "36", "name", "Ada", "extra", "ignored"]),
    array([]), // the key was deleted after SCAN
    array(["name", "Bob"]),
    array(["name", "Cy", "age", "9"]), // another field order
  ]);

  for (const size of [1, 5, stream.length]) {
    it(`matches fields by name, skips unknown fields and missing keys (chunks of ${size} bytes)`, () => {
      const decoder = new HashReplyDecoder(["name", "age"], "hgetall");
      decoder.expectKeys(toKeyPage(["h:1", "h:2"]));
      decoder.expectKeys(toKeyPage(["h:3", "h:4"]));
      feed(decoder, stream, size);
      expect(rowsOf(decoder)).toEqual([
        ["h:1", "Ada", "36"],
        ["h:3", "Bob", null],
        ["h:4", "Cy", "9"],
      ]);
      expect(decoder.missingKeys).toBe(1);
    });
  }

  it("reads a value far larger than a chunk without losing or repeating bytes", () => {
    const big = "x".repeat(300_000) + "é";
    const decoder = new HashReplyDecoder(["body"], "hgetall");
    decoder.expectKeys(toKeyPage(["doc"]));
    feed(decoder, array(["body", big]), 1000);
    expect(rowsOf(decoder)).toEqual([["doc", big]]);
  });

  it("starts empty again after resetColumns, keeping the key order", () => {
    const decoder = new HashReplyDecoder(["v"], "hgetall");
    decoder.expectKeys(toKeyPage(["a", "b"]));
    const reader = new RespReader(decoder);
    reader.push(array(["v", "1"]));
    decoder.resetColumns();
    reader.push(array(["v", "2"]));
    expect(rowsOf(decoder)).toEqual([["b", "2"]]);
  });
});
