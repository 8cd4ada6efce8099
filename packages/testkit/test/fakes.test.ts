import {
  AbortedError,
  connect,
  RedisCommandError,
  type RedisConnection,
  readJson,
  readTimeseries,
} from "@polars-redis/core";
import pl from "nodejs-polars";
import { describe, expect, it } from "vitest";
import { errorReply, InMemoryModules, RecordingConnection, type ScriptModel } from "../src/index.js";
import { useRedisConnection } from "../src/vitest/index.js";

describe("RecordingConnection", () => {
  it("records every command as text and answers from the responder", async () => {
    const conn = new RecordingConnection({ respond: ([name]) => (name === "PING" ? "PONG" : 1) });
    expect(await conn.call("PING")).toBe("PONG");
    expect(
      await conn.batch([
        ["SET", "k", Buffer.from("v")],
        ["INCR", "n"],
      ]),
    ).toEqual([1, 1]);
    expect(conn.commands).toEqual([["PING"], ["SET", "k", "v"], ["INCR", "n"]]);
    expect(Buffer.isBuffer(conn.sent[1]![2])).toBe(true);
    expect(conn.replies).toEqual(["PONG", 1, 1]);
    expect(conn.batchSizes).toEqual([2]);
    expect(conn.sentCount).toBe(3);
  });

  it("answers an unexpected command with an ERR reply naming it (thrown by call, returned by batch)", async () => {
    const conn = new RecordingConnection();
    const error = await conn.call("GET", "k").catch((e: unknown) => e);
    expect(RedisCommandError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/unexpected command in test: GET k/);
    const [reply] = await conn.batch([["GET", "k"]]);
    expect(reply).toBeInstanceOf(Error);
  });

  it("returns Buffers with `buffers` and from callBuffer, as the real connection does", async () => {
    const conn = new RecordingConnection({ respond: () => ["a", 1] });
    expect(await conn.batch([["X"]], { buffers: true })).toEqual([[Buffer.from("a"), 1]]);
    expect(await conn.callBuffer("X")).toEqual([Buffer.from("a"), 1]);
  });

  it("scans its keyspace by pattern and type, in pages, and stops on an aborted signal", async () => {
    const keyspace = new Map([
      ["user:1", "hash"],
      ["user:2", "hash"],
      ["user:3", "string"],
      ["order:1", "hash"],
    ]);
    const conn = new RecordingConnection({ keyspace, scanPageSize: 1 });
    const pages: string[][] = [];
    for await (const page of conn.scanKeys({ pattern: "user:*", type: "hash" })) pages.push(page);
    expect(pages).toEqual([["user:1"], ["user:2"]]);
    expect(conn.scans).toEqual([{ pattern: "user:*", type: "hash" }]);
    const controller = new AbortController();
    controller.abort();
    const scan = async () => {
      for await (const _ of conn.scanKeys({ signal: controller.signal })) void _;
    };
    const aborted = await scan().catch((e: unknown) => e);
    expect(AbortedError.isInstance(aborted)).toBe(true);
    expect(
      AbortedError.isInstance(await conn.batch([["X"]], { signal: controller.signal }).catch((e) => e)),
    ).toBe(true);
  });

  it("refuses bad options with typed errors", () => {
    expect(() => new RecordingConnection(42 as never)).toThrow(TypeError);
    expect(() => new RecordingConnection({ respond: "PONG" as never })).toThrow(TypeError);
    expect(() => new RecordingConnection({ inner: {} as never })).toThrow(TypeError);
    expect(() => new RecordingConnection({ scanPageSize: 0 })).toThrow(RangeError);
    expect(() => new RecordingConnection({ kind: "sentinel" as never })).toThrow(TypeError);
    expect(() => errorReply(1 as never, "x")).toThrow(TypeError);
    expect(new RecordingConnection({ kind: "cluster" }).kind).toBe("cluster");
  });

  describe("wrapping a real connection (`inner`)", () => {
    const redis = useRedisConnection({ connect, flushBeforeEach: true });

    it("forwards every command and records it with its reply", async () => {
      const conn = new RecordingConnection({ inner: redis.conn });
      await conn.batch([
        ["SET", "a", "1"],
        ["LPUSH", "a", "x"],
      ]);
      expect(await conn.call("GET", "a")).toBe("1");
      expect(conn.commands).toEqual([
        ["SET", "a", "1"],
        ["LPUSH", "a", "x"],
        ["GET", "a"],
      ]);
      expect(conn.replies[0]).toBe("OK");
      expect((conn.replies[1] as Error).message).toMatch(/^WRONGTYPE/);
      const keys: string[] = [];
      for await (const page of conn.scanKeys()) keys.push(...page);
      expect(keys).toEqual(["a"]);
    });

    it("keeps each reply beside its command when overlapping batches finish out of order", async () => {
      // The first batch is held back until the second has finished, as a busy server may do to a writer's
      // concurrent batches.
      let releaseFirst: () => void = () => undefined;
      const held = new Promise<void>((resolve) => {
        releaseFirst = resolve;
      });
      const inner = Object.create(redis.conn) as RedisConnection;
      inner.batch = async (commands, options) => {
        if (commands[0]?.[1] === "first") await held;
        return redis.conn.batch(commands, options);
      };
      const conn = new RecordingConnection({ inner });
      const first = conn.batch([
        ["SET", "first", "1"],
        ["GET", "first"],
      ]);
      await conn.batch([
        ["LPUSH", "second", "x"],
        ["INCR", "second"],
      ]);
      releaseFirst();
      await first;
      expect(conn.commands.map(([name, key]) => `${name} ${key}`)).toEqual([
        "SET first",
        "GET first",
        "LPUSH second",
        "INCR second",
      ]);
      expect(conn.replies[0]).toBe("OK");
      expect(conn.replies[1]).toBe("1");
      expect(conn.replies[2]).toBe(1);
      expect((conn.replies[3] as Error).message).toMatch(/^WRONGTYPE/);
    });
  });
});

describe("InMemoryModules", () => {
  const documents: [string, unknown][] = [
    ["doc:1", { name: "Ada", tags: ["x", "y"] }],
    ["doc:2", { name: "Bob", tags: [] }],
  ];
  const series = [
    [
      "temp:1",
      {
        labels: { room: "a" },
        samples: [
          [1000, 1],
          [2000, 3],
          [3000, 5],
        ],
      },
    ],
  ] as const;

  it("answers core's readers for RedisJSON and RedisTimeSeries from its model", async () => {
    const fake = new InMemoryModules({
      documents,
      series: series.map(
        ([k, s]) => [k, { labels: s.labels, samples: s.samples.map(([t, v]) => [t, v] as const) }] as const,
      ),
    });
    const json = await readJson(fake, { pattern: "doc:*", schema: { name: pl.Utf8 } });
    expect(json.sort("_key").getColumn("name").toArray()).toEqual(["Ada", "Bob"]);
    const samples = await readTimeseries(fake, { pattern: "temp:*" });
    expect(samples.height).toBe(3);
    expect(fake.commands.map(([name]) => name)).toContain("TS.RANGE");
  });

  it("writes JSON (SET with NX/XX, MERGE) and time series (CREATE, MADD with per-sample errors)", async () => {
    const fake = new InMemoryModules();
    expect(await fake.call("JSON.SET", "j", "$", '{"a":1,"b":2}')).toBe("OK");
    expect(await fake.call("JSON.SET", "j", "$", "{}", "NX")).toBeNull();
    expect(await fake.call("JSON.MERGE", "j", "$", '{"b":null,"c":3}')).toBe("OK");
    expect(fake.json.get("j")).toEqual({ a: 1, c: 3 });
    expect(await fake.call("TS.CREATE", "t", "DUPLICATE_POLICY", "BLOCK", "LABELS", "room", "b")).toBe("OK");
    const [madd] = await fake.batch([["TS.MADD", "t", 1, 10, "t", 1, 11, "missing", 1, 1]]);
    expect((madd as unknown[])[0]).toBe(1);
    expect(((madd as unknown[])[1] as Error).message).toMatch(/DUPLICATE_POLICY is set to BLOCK/);
    expect(((madd as unknown[])[2] as Error).message).toMatch(/the key does not exist/);
    const [wrong] = await fake.batch([["JSON.SET", "t", "$", "{}"]]);
    expect(RedisCommandError.isInstance(wrong)).toBe(true);
    expect(await fake.call("TS.INFO", "t")).toEqual(["totalSamples", 1, "labels", [["room", "b"]]]);
  });

  it("keeps COMMAND INFO out of `commands`, runs scripts through their models, and NOSCRIPTs until EVAL", async () => {
    const touch: ScriptModel = {
      matches: (body) => body.includes("touch"),
      run: (fake, keys, argv) => {
        for (const key of keys) fake.strings.set(key, String(argv[0]));
        return keys.length;
      },
    };
    const fake = new InMemoryModules({ scripts: [touch], decodeArgument: (part) => part.toString("hex") });
    expect(await fake.call("COMMAND", "INFO", "JSON.SET")).toEqual([["json.set"]]);
    expect(fake.introspection).toEqual([["COMMAND", "INFO", "JSON.SET"]]);
    const [refused] = await fake.batch([["EVALSHA", "0000", 1, "k"]]);
    expect((refused as Error).message).toMatch(/^NOSCRIPT/);
    expect(await fake.call("EVAL", "-- touch", 2, "k1", "k2", Buffer.from([1, 2]))).toBe(2);
    expect(fake.strings.get("k2")).toBe("0102");
    expect(fake.commands.map(([name]) => name)).toEqual(["EVALSHA", "EVAL"]);
    const keys: string[] = [];
    for await (const page of fake.scanKeys({ type: "string" })) keys.push(...page);
    expect(keys).toEqual(["k1", "k2"]);
  });

  it("passes what it does not model to `respond`, and refuses bad options with typed errors", async () => {
    const fake = new InMemoryModules({
      respond: ([name]) => (name === "FT.SEARCH" ? [0] : errorReply(name!, "ERR no")),
    });
    expect(await fake.call("FT.SEARCH", "idx", "*")).toEqual([0]);
    await expect(fake.call("FT.INFO", "idx")).rejects.toThrow(/ERR no/);
    await expect(new InMemoryModules().call("FT.INFO", "idx")).rejects.toThrow(/unknown command 'FT.INFO'/);
    expect(() => new InMemoryModules(null as never)).toThrow(TypeError);
    expect(() => new InMemoryModules({ decodeArgument: 1 as never })).toThrow(TypeError);
    expect(() => new InMemoryModules({ scripts: {} as never })).toThrow(TypeError);
  });
});
