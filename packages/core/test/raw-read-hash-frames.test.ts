import { startRedis, waitFor } from "@polars-redis/testkit";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import pl, { type DataFrame } from "nodejs-polars";
import { describe, expect, it } from "vitest";
import {
  AbortedError,
  type Command,
  connect,
  RedisConnectionError,
  readHashes,
  SchemaMismatchError,
} from "../src/index.js";
import {
  emptyFastHashReport,
  type FastHashField,
  type FastHashReadOptions,
  openRawChannel,
  readHashFrames,
} from "../src/internal.js";
import { resolveDtype } from "../src/schema/dtype.js";

const redis = useRedisConnection({ connect });

const SCHEMA = {
  name: pl.Utf8,
  city: pl.Categorical,
  age: pl.Int64,
  small: pl.Int32,
  score: pl.Float64,
  ratio: pl.Float32,
  active: pl.Bool,
  born: pl.Date,
  seen: pl.Datetime("ms", "UTC"),
  local: pl.Datetime("us"),
  stamp: pl.Datetime("us", "Europe/Paris"),
};
const FIELDS: FastHashField[] = Object.entries(SCHEMA).map(([name, dtype]) => ({
  name,
  dtype: resolveDtype(dtype, name) as FastHashField["dtype"],
}));

async function send(commands: Command[]): Promise<void> {
  for (const reply of await redis.conn.batch(commands)) if (reply instanceof Error) throw reply;
}

/** Canonical spellings for most rows, every other spelling the engine's parsers accept for the rest. */
function userFields(i: number): string[] {
  const odd = i % 2 === 1;
  const fields = [
    "name",
    i % 17 === 0 ? `ünïcødé 🚀 ${i}` : `user${i}`,
    "city",
    ["Oslo", "Zürich", "Kyoto"][i % 3]!,
    "age",
    i % 11 === 0 ? `+${i}` : String(i - 50),
    "small",
    String(i * 3),
    "score",
    i % 13 === 0 ? "1.5e3" : i % 29 === 0 ? "inf" : (i / 8).toFixed(3),
    "ratio",
    `${i}.25`,
    "active",
    i % 7 === 0 ? (odd ? "YES" : "off") : odd ? "true" : "false",
    "born",
    i % 5 === 0
      ? "2001-02-03T04:05:06Z"
      : `19${String(10 + (i % 80)).padStart(2, "0")}-0${1 + (i % 9)}-1${i % 10}`,
    "seen",
    i % 3 === 0
      ? "2024-01-15T10:30:00+02:00"
      : `2024-03-0${1 + (i % 9)}T12:00:00.${String(i % 1000).padStart(3, "0")}Z`,
    "local",
    `2024-05-06 07:08:09.${String(i).padStart(6, "0")}`,
    "stamp",
    [
      "2024-02-29T23:59:59Z",
      `2024-02-29T23:59:59.${String(i).padStart(6, "0")}Z`,
      "1969-12-31T23:59:59.9Z",
      "2024-07-01T10:00:00",
    ][i % 4]!,
    "unrelated",
    "ignored",
  ];
  // Some hashes lack fields: those read as nulls.
  return i % 19 === 0 ? fields.slice(0, 6) : fields;
}

async function loadUsers(prefix: string, count: number): Promise<string[]> {
  const keys = Array.from({ length: count }, (_, i) => `${prefix}${i}`);
  await send(keys.map((key, i): Command => ["HSET", key, ...userFields(i)]));
  return keys;
}

async function* pagesOf(keys: readonly string[], size: number): AsyncGenerator<string[]> {
  for (let i = 0; i < keys.length; i += size) yield keys.slice(i, i + size);
}

async function collect(
  keys: readonly string[],
  options: Partial<FastHashReadOptions> & { pageSize?: number } = {},
  report = emptyFastHashReport(),
): Promise<{ frames: DataFrame[]; frame: DataFrame }> {
  const channel = await openRawChannel({ host: redis.server.host, port: redis.server.port });
  const frames: DataFrame[] = [];
  const read = readHashFrames(
    channel,
    pagesOf(keys, options.pageSize ?? 100),
    { fields: FIELDS, projected: false, keyColumn: "_key", ...options },
    report,
  );
  for await (const frame of read) frames.push(frame);
  const frame = frames.length === 1 ? frames[0]! : pl.concat(frames, { how: "vertical" });
  return { frames, frame };
}

function sortedByKey(frame: DataFrame): DataFrame {
  return frame.sort("_key");
}

describe("readHashFrames over a raw channel (real redis-server)", () => {
  it("produces exactly the frame readHashes produces: same columns, dtypes, values and nulls", async () => {
    const keys = await loadUsers("same:", 1234);
    const { frame } = await collect(keys, { frameRows: 500 });
    const expected = await readHashes(redis.conn, { pattern: "same:*", schema: SCHEMA });
    expect(frame.columns).toEqual(expected.columns);
    expect(frame.dtypes.map(String)).toEqual(expected.dtypes.map(String));
    expect(frame.height).toBe(1234);
    // Every column has real values (hashes i % 19 === 0 keep only their first three fields).
    for (const name of ["small", "score", "active", "born", "seen", "local", "stamp"]) {
      expect(frame.getColumn(name).nullCount()).toBe(Math.ceil(1234 / 19));
    }
    // Categorical columns compare as text.
    const comparable = (df: DataFrame) => sortedByKey(df.withColumns(pl.col("city").cast(pl.Utf8)));
    expect(comparable(frame).toRecords()).toEqual(comparable(expected).toRecords());
  });

  it("projects with HMGET and still matches readHashes with the same columns", async () => {
    const keys = await loadUsers("proj:", 300);
    const fields = FIELDS.filter((field) => ["age", "score", "name"].includes(field.name));
    const { frame } = await collect(keys, { fields, projected: true });
    const expected = await readHashes(redis.conn, {
      pattern: "proj:*",
      schema: SCHEMA,
      columns: ["age", "score", "name"],
    });
    expect(frame.columns).toEqual(["_key", "name", "age", "score"]);
    expect(sortedByKey(frame).toRecords()).toEqual(
      sortedByKey(expected.select(...frame.columns)).toRecords(),
    );
  });

  it("cuts frames once frameRows rows are in (plus at most the pages in flight), in key order, without a key column when asked", async () => {
    const keys = await loadUsers("frames:", 450);
    const { frames, frame } = await collect(keys, {
      frameRows: 200,
      pageSize: 50,
      pagesInFlight: 2,
      keyColumn: undefined,
    });
    expect(frames.length).toBeGreaterThanOrEqual(2);
    for (const f of frames.slice(0, -1)) expect(f.height).toBeGreaterThanOrEqual(200);
    for (const f of frames) expect(f.height).toBeLessThanOrEqual(300);
    expect(frame.columns).toEqual(FIELDS.map((field) => field.name));
    expect(frame.getColumn("small").toArray()).toEqual(keys.map((_, i) => (i % 19 === 0 ? null : i * 3)));
  });

  it("skips keys that are gone or hold another type, and counts them", async () => {
    const keys = await loadUsers("gone:", 20);
    await send([
      ["DEL", "gone:3"],
      ["SET", "gone:string", "x"],
    ]);
    const report = emptyFastHashReport();
    const { frame } = await collect([...keys, "gone:string", "gone:never"], {}, report);
    expect(frame.height).toBe(19);
    expect(frame.getColumn("_key").toArray()).not.toContain("gone:3");
    expect(report).toMatchObject({ rows: 19, missingKeys: 2, wrongTypeKeys: 1 });
  });

  it("with HMGET, drops rows of keys that are gone when keysExist is given, keeps all-null rows of real hashes", async () => {
    await send([
      ["HSET", "hm:real", "other", "1"],
      ["HSET", "hm:full", "age", "5"],
    ]);
    const fields = FIELDS.filter((field) => field.name === "age");
    const keysExist = async (asked: string[]) => {
      const replies = await redis.conn.batch(asked.map((key): Command => ["EXISTS", key]));
      return replies.map((reply) => reply === 1);
    };
    const report = emptyFastHashReport();
    const { frame } = await collect(
      ["hm:real", "hm:deleted", "hm:full"],
      { fields, projected: true, keysExist },
      report,
    );
    expect(frame.toRecords()).toEqual([
      { _key: "hm:real", age: null },
      { _key: "hm:full", age: 5 },
    ]);
    expect(report.missingKeys).toBe(1);
  });

  it("counts the stored bytes read: names and values with HGETALL, values with HMGET", async () => {
    await send([["HSET", "bytes:1", "name", "Ada", "age", "36", "extra", "xyz"]]);
    const fields = FIELDS.filter((field) => field.name === "name" || field.name === "age");
    const full = emptyFastHashReport();
    await collect(["bytes:1"], { fields }, full);
    expect(full.bytes).toBe("nameAdaage36extraxyz".length);
    const projected = emptyFastHashReport();
    await collect(
      ["bytes:1"],
      { fields: fields.filter((field) => field.name === "age"), projected: true },
      projected,
    );
    expect(projected.bytes).toBe(2);
  });

  it("onError raise: throws SchemaMismatchError naming key, field, raw value and dtype, and closes the channel", async () => {
    await send([
      ["HSET", "bad:1", "age", "41"],
      ["HSET", "bad:2", "age", "forty-two"],
    ]);
    const fields = FIELDS.filter((field) => field.name === "age");
    const error = await collect(["bad:1", "bad:2"], { fields }).catch((caught: unknown) => caught);
    expect(SchemaMismatchError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ key: "bad:2", field: "age", rawValue: "forty-two", expected: "Int64" });
  });

  it("onError null: nulls what does not convert, counts it per field, and keeps the rest", async () => {
    await send([
      [
        "HSET",
        "lax:1",
        "age",
        "x1",
        "active",
        "maybe",
        "born",
        "2024-02-30",
        "name",
        Buffer.from([0xff, 0xfe]),
        "seen",
        "2023-02-29T00:00:00Z",
      ],
      ["HSET", "lax:2", "age", "7", "active", "t", "born", "2024-02-29", "name", "ok"],
    ]);
    const report = emptyFastHashReport();
    const { frame } = await collect(["lax:1", "lax:2"], { onError: "null" }, report);
    const rows = frame.select("_key", "name", "age", "active", "born").toRecords();
    expect(rows[0]).toMatchObject({ _key: "lax:1", name: null, age: null, active: null, born: null });
    expect(rows[1]).toMatchObject({ _key: "lax:2", name: "ok", age: 7, active: true });
    expect(Object.fromEntries(report.coercedToNull)).toEqual({
      name: 1,
      age: 1,
      active: 1,
      born: 1,
      seen: 1,
    });
  });

  it("an aborted signal stops the read with AbortedError and releases the server connection", async () => {
    const keys = await loadUsers("abort:", 3000);
    const clientsBefore = await connectedClients();
    const controller = new AbortController();
    const channel = await openRawChannel({ host: redis.server.host, port: redis.server.port });
    const read = readHashFrames(channel, pagesOf(keys, 100), {
      fields: FIELDS,
      projected: false,
      frameRows: 500,
      signal: controller.signal,
    });
    const seen: number[] = [];
    const outcome = (async () => {
      for await (const frame of read) {
        seen.push(frame.height);
        controller.abort();
      }
    })();
    await expect(outcome).rejects.toSatisfy(AbortedError.isInstance);
    expect(seen).toHaveLength(1);
    await waitFor(async () => (await connectedClients()) === clientsBefore, {
      description: "the raw channel to close",
      timeoutMs: 30_000,
    });
  });

  it("a channel lost mid-read fails with RedisConnectionError (outcome unknown), never a short frame", async () => {
    const keys = await loadUsers("lost:", 2000);
    const channel = await openRawChannel({ host: redis.server.host, port: redis.server.port });
    await redis.conn.call("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
    const error = await (async () => {
      for await (const _ of readHashFrames(channel, pagesOf(keys, 100), {
        fields: FIELDS,
        projected: false,
      })) {
        // no frame can arrive: the channel is gone before the first reply
      }
    })().catch((caught: unknown) => caught);
    expect(RedisConnectionError.isInstance(error)).toBe(true);
    // "unknown" when pages were written before the close was seen; "rejected" when the pipe knew the channel
    // was gone before writing the first page (then nothing was sent).
    expect(["unknown", "rejected"]).toContain((error as RedisConnectionError).outcome);
  });
});

describe("openRawChannel", () => {
  it("authenticates and selects the database; a wrong password is a RedisConnectionError", async () => {
    await using secured = await startRedis({ args: ["--requirepass", "s3cret"] });
    const admin = await connect(`redis://:s3cret@${secured.host}:${secured.port}/2`);
    await admin.call("HSET", "db2:h", "age", "3");
    await admin.close();
    const channel = await openRawChannel({
      host: secured.host,
      port: secured.port,
      password: "s3cret",
      db: 2,
    });
    const fields = FIELDS.filter((field) => field.name === "age");
    const frames: DataFrame[] = [];
    for await (const frame of readHashFrames(channel, pagesOf(["db2:h"], 10), {
      fields,
      projected: false,
      keyColumn: "_key",
    })) {
      frames.push(frame);
    }
    expect(frames[0]!.toRecords()).toEqual([{ _key: "db2:h", age: 3 }]);
    const refused = await openRawChannel({ host: secured.host, port: secured.port, password: "wrong" }).catch(
      (caught: unknown) => caught,
    );
    expect(RedisConnectionError.isInstance(refused)).toBe(true);
  });
});

async function connectedClients(): Promise<number> {
  const info = String(await redis.conn.call("INFO", "clients"));
  return Number(/connected_clients:(\d+)/.exec(info)?.[1]);
}
