import { RecordingConnection } from "@polars-redis/testkit";
import pl from "nodejs-polars";
import { describe, expect, it } from "vitest";
import {
  AbortedError,
  deleteKeys,
  deleteKeysMatching,
  existsKeys,
  InvalidArgumentError,
  keyInfo,
  persistKeys,
  renameKeys,
  setTtl,
  ttlKeys,
} from "../src/index.js";

/** Runs `action` against a recording connection; expects an InvalidArgumentError and no command sent. */
async function rejectsBeforeSending(
  action: (conn: RecordingConnection) => Promise<unknown>,
  argument: string,
  message?: RegExp,
): Promise<void> {
  const conn = new RecordingConnection({ keyspace: new Map([["a", "string"]]) });
  const error = await action(conn).catch((e: unknown) => e);
  expect(InvalidArgumentError.isInstance(error), String(error)).toBe(true);
  expect((error as InvalidArgumentError).argument).toBe(argument);
  if (message) expect((error as Error).message).toMatch(message);
  expect(conn.commands).toEqual([]);
  expect(conn.scans).toEqual([]);
}

describe("key utilities reject bad input before sending anything", () => {
  it("setTtl: negative, zero, fractional, null and misaligned TTLs", async () => {
    await rejectsBeforeSending((c) => setTtl(c, ["a"], -5), "ttl", /positive integer.*use deleteKeys/);
    await rejectsBeforeSending((c) => setTtl(c, ["a"], 0), "ttl", /use deleteKeys/);
    await rejectsBeforeSending((c) => setTtl(c, ["a"], 1.5), "ttl");
    await rejectsBeforeSending((c) => setTtl(c, ["a"], Number.NaN), "ttl");
    await rejectsBeforeSending((c) => setTtl(c, ["a", "b"], [10]), "ttl", /1 TTLs for 2 keys/);
    await rejectsBeforeSending((c) => setTtl(c, ["a", "b"], [10, -1]), "ttl", /for key "b"/);
    const frame = pl.DataFrame({ _key: ["a", "b"], ttl: [10, null] });
    await rejectsBeforeSending((c) => setTtl(c, frame, { column: "ttl" }), "ttl (column ttl)", /got null/);
    await rejectsBeforeSending(
      (c) => setTtl(c, frame, { column: "nope" }),
      "ttl",
      /columns are \["_key","ttl"\]/,
    );
    await rejectsBeforeSending(
      (c) => setTtl(c, ["a"], { column: "ttl" }),
      "ttl",
      /needs the keys as a DataFrame/,
    );
    await rejectsBeforeSending((c) => setTtl(c, ["a"], 10, { unit: "h" as "s" }), "unit");
    await rejectsBeforeSending((c) => setTtl(c, ["a"], 10, { condition: "XY" as "NX" }), "condition");
  });

  it("key sources: null keys, non-strings, a missing key column", async () => {
    await rejectsBeforeSending(
      (c) => deleteKeys(c, ["a", null as unknown as string]),
      "keys",
      /entry 1 is null/,
    );
    await rejectsBeforeSending((c) => existsKeys(c, [1 as unknown as string]), "keys", /entry 0 is number/);
    const frame = pl.DataFrame({ id: ["a"] });
    await rejectsBeforeSending((c) => ttlKeys(c, frame), "keyColumn", /no column "_key".*\["id"\]/);
    await rejectsBeforeSending((c) => persistKeys(c, pl.Series("k", ["a", null])), "keys", /entry 1 is null/);
    await rejectsBeforeSending((c) => deleteKeys(c, "a" as unknown as string[]), "keys");
  });

  it("batch sizes, methods and units", async () => {
    await rejectsBeforeSending((c) => deleteKeys(c, ["a"], { batchSize: 0 }), "batchSize");
    await rejectsBeforeSending((c) => existsKeys(c, ["a"], { batchSize: 2.5 }), "batchSize");
    await rejectsBeforeSending((c) => deleteKeys(c, ["a"], { method: "drop" as "del" }), "method");
    await rejectsBeforeSending((c) => ttlKeys(c, ["a"], { unit: "m" as "s" }), "unit");
  });

  it("renameKeys: empty, duplicated, chained, swapped and non-string mappings", async () => {
    await rejectsBeforeSending((c) => renameKeys(c, {}), "mapping", /empty/);
    await rejectsBeforeSending((c) => renameKeys(c, new Map()), "mapping", /empty/);
    await rejectsBeforeSending((c) => renameKeys(c, []), "mapping", /empty/);
    await rejectsBeforeSending(
      (c) => renameKeys(c, { a: "c", b: "c" }),
      "mapping",
      /"c" appears more than once/,
    );
    await rejectsBeforeSending(
      (c) => renameKeys(c, { a: "b", b: "c" }),
      "mapping",
      /"b" appears more than once/,
    );
    await rejectsBeforeSending(
      (c) =>
        renameKeys(c, [
          ["a", "b"],
          ["b", "a"],
        ]),
      "mapping",
    );
    await rejectsBeforeSending((c) => renameKeys(c, { a: "a" }), "mapping");
    await rejectsBeforeSending(
      (c) => renameKeys(c, [["a"]] as unknown as [string, string][]),
      "mapping",
      /pairs/,
    );
    const frame = pl.DataFrame({ from: ["a"], to: [null] });
    await rejectsBeforeSending(
      (c) => renameKeys(c, frame, { fromColumn: "from", toColumn: "to" }),
      "mapping",
      /null/,
    );
    await rejectsBeforeSending((c) => renameKeys(c, frame), "fromColumn", /columns are \["from","to"\]/);
  });

  it("pattern deletes and keyInfo: empty patterns, keys together with a pattern", async () => {
    await rejectsBeforeSending((c) => deleteKeysMatching(c, ""), "pattern");
    await rejectsBeforeSending((c) => deleteKeysMatching(c, "a*", { countHint: 0 }), "countHint");
    await rejectsBeforeSending((c) => keyInfo(c, { keys: ["a"], pattern: "a*" }), "keys", /not both/);
    await rejectsBeforeSending((c) => keyInfo(c, { pattern: "" }), "pattern");
  });
});

describe("key utilities send single-key commands a cluster can route", () => {
  it("sends exactly the documented commands", async () => {
    const conn = new RecordingConnection({
      respond: (command) => (command[0] === "TYPE" ? "string" : command[0] === "OBJECT" ? "embstr" : 1),
      keyspace: new Map([
        ["s:1", "string"],
        ["h:1", "hash"],
      ]),
    });
    await deleteKeys(conn, ["a", "b"]);
    await setTtl(conn, ["a"], 10, { condition: "GT" });
    await setTtl(conn, ["a"], 1500, { unit: "ms" });
    await persistKeys(conn, ["a"]);
    await renameKeys(conn, { a: "b" });
    await renameKeys(conn, { a: "b" }, { overwrite: true });
    await keyInfo(conn, { pattern: "s:*", type: "string" });
    expect(conn.commands).toEqual([
      ["UNLINK", "a"],
      ["UNLINK", "b"],
      ["EXPIRE", "a", "10", "GT"],
      ["PEXPIRE", "a", "1500"],
      ["PERSIST", "a"],
      ["RENAMENX", "a", "b"],
      ["RENAME", "a", "b"],
      ["TYPE", "s:1"],
      ["TTL", "s:1"],
      ["MEMORY", "USAGE", "s:1"],
      ["OBJECT", "ENCODING", "s:1"],
    ]);
    expect(conn.scans).toEqual([expect.objectContaining({ pattern: "s:*", type: "string", count: 1000 })]);
  });

  it("an already-aborted signal sends nothing", async () => {
    const conn = new RecordingConnection();
    const controller = new AbortController();
    controller.abort();
    const error = await deleteKeys(conn, ["a"], { signal: controller.signal }).catch((e: unknown) => e);
    expect(AbortedError.isInstance(error)).toBe(true);
    expect(conn.commands).toEqual([]);
  });
});
