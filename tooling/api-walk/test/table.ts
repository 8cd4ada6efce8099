import { Writable } from "node:stream";
import * as cache from "@polars-redis/cache";
import * as cli from "@polars-redis/cli";
import * as cluster from "@polars-redis/cluster";
import * as core from "@polars-redis/core";
import * as internal from "@polars-redis/core/internal";
import * as search from "@polars-redis/search";
import * as streams from "@polars-redis/streams";
import * as writer from "@polars-redis/writer";
import pl from "nodejs-polars";
import { call, calls, connectionFirst, type Row, type Table, type WalkContext } from "./walk.js";

/** Error classes and result types: constructed by the library, not called with user input. */
const CLASS = "a class the library constructs (errors, results); not called with user input";
const PREDICATE = "a predicate or pure helper: every value is a valid argument (it answers, never throws)";
const INTERNAL =
  "internal transport/engine piece on @polars-redis/core/internal: called by the packages with checked arguments, no stability promise";

const hashOptions = { pattern: "walk:*", schema: { name: pl.Utf8 } };
const scan = (fn: (...args: never[]) => unknown, options: object = { pattern: "walk:*" }): Row =>
  connectionFirst(fn, () => [options]);
const keysCall = (fn: (...args: never[]) => unknown, middle: unknown[] = [["walk:1"]]): Row =>
  connectionFirst(fn, () => [...middle, {}], {
    more: (c) => [
      call("a null key", () =>
        (fn as (...a: unknown[]) => unknown)(c.conn, ["walk:1", null], ...middle.slice(1), {}),
      ),
      call("keys not a list", () => (fn as (...a: unknown[]) => unknown)(c.conn, 42, ...middle.slice(1), {})),
    ],
  });

/** Valid frames per writer (the closed-connection call must get past the frame checks). */
const frames = {
  writeHashes: () => pl.DataFrame({ _key: ["walk:1", "walk:2"], name: ["Ada", "Bob"] }),
  writeJson: () => pl.DataFrame({ _key: ["walk:1"], name: ["Ada"] }),
  writeLists: () => pl.DataFrame({ _key: ["walk:l"], element: ["a"] }),
  writeSets: () => pl.DataFrame({ _key: ["walk:s"], member: ["a"] }),
  writeZsets: () => pl.DataFrame({ _key: ["walk:z"], member: ["a"], score: [1.5] }),
  writeStrings: () => pl.DataFrame({ _key: ["walk:1"], value: ["v"] }),
  writeStreams: () => pl.DataFrame({ _key: ["walk:x"], name: ["Ada"] }),
  writeTimeseries: () =>
    pl.DataFrame([
      pl.Series("_key", ["walk:t"]),
      pl.Series("_ts", [1_700_000_000_000], pl.Int64),
      pl.Series("value", [1.5]),
    ]),
} as const;

/** Writers that write one key per row: a repeated key is an error (the others append several rows to a key). */
const ONE_ROW_PER_KEY = new Set(["writeHashes", "writeJson", "writeStrings"]);

const writerRow = (name: keyof typeof frames): Row => {
  const fn = (writer as unknown as Record<string, (...args: unknown[]) => unknown>)[name]!;
  return connectionFirst(fn as never, () => [frames[name](), {}], {
    more: (c) => [
      call("a plain object of columns", () => fn(c.conn, { _key: ["walk:1"], name: ["x"] })),
      call("undefined frame", () => fn(c.conn, undefined)),
      call("a zero-column frame", () => fn(c.conn, pl.DataFrame({}))),
      call("a null key", () =>
        fn(c.conn, frames[name]().withColumn(pl.lit(null).cast(pl.Utf8).alias("_key"))),
      ),
      ...(ONE_ROW_PER_KEY.has(name)
        ? [call("duplicate keys", () => fn(c.conn, pl.concat([frames[name](), frames[name]()])))]
        : []),
    ],
  });
};

const sinkRow = (fn: (...args: never[]) => unknown): Row =>
  connectionFirst(fn, () => [{}], { closed: false });

const cacheKeyRow = (fn: (...args: never[]) => unknown, withOptions: boolean): Row =>
  connectionFirst(fn, () => (withOptions ? ["walk:cache", {}] : ["walk:cache"]), {
    options: withOptions,
    more: (c) => [
      call("empty key", () => (fn as (...a: unknown[]) => unknown)(c.conn, "")),
      call("key not a string", () => (fn as (...a: unknown[]) => unknown)(c.conn, 42)),
    ],
  });

const index = { name: "walk-idx", prefixes: ["walk:"], fields: [{ name: "name", type: "text" }] };

/** The CLI reports usage errors as exit code 2 (its contract), not as exceptions: turn that into the typed error. */
async function usageError(argv: string[]): Promise<void> {
  const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
  const code = await cli.main(argv, { stdout: quiet, stderr: quiet } as never);
  if (code === cli.ExitCode.USAGE) throw new core.InvalidArgumentError("argv", "usage error (exit code 2)");
  throw new Error(`exit code ${String(code)}, not the usage error (2)`);
}

export const TABLE: Table = {
  "@polars-redis/core": {
    AbortedError: { exempt: CLASS },
    ConnectionClosedError: { exempt: CLASS },
    InvalidArgumentError: { exempt: CLASS },
    ModuleNotLoadedError: { exempt: CLASS },
    PolarsRedisError: { exempt: CLASS },
    RedisCommandError: { exempt: CLASS },
    RedisConnectionError: { exempt: CLASS },
    RedisTimeoutError: { exempt: CLASS },
    SchemaMismatchError: { exempt: CLASS },
    StreamGapError: { exempt: CLASS },
    WriteResult: { exempt: CLASS },
    connect: calls((c) => [
      call("{} (would be localhost:6379)", () => core.connect({})),
      call("{ url }", () => core.connect({ url: c.url } as never)),
      call("a number", () => core.connect(42 as never)),
      call("a node-redis client", () => core.connect({ sendCommand: () => 1, isOpen: true } as never)),
      call("a typo in ioredis options", () => core.connect({ hots: "x", port: 1 } as never)),
      call("unknown option", () => core.connect(c.url, { bogusOptionName: 1 } as never)),
      call("not a URL", () => core.connect("http://localhost")),
    ]),
    readHashes: connectionFirst(core.readHashes, () => [hashOptions], {
      more: (c) => [
        call("filter reads a string as a column", () =>
          core.readHashes(c.conn, { ...hashOptions, filter: pl.col("name").eq("Ada" as never) }),
        ),
        call("filter on a column the scan lacks", () =>
          core.readHashes(c.conn, { ...hashOptions, filter: pl.col("nope").gt(1) }),
        ),
        call("a dtype name that does not exist", () =>
          core.readHashes(c.conn, { pattern: "walk:*", schema: { name: "integer" as never } }),
        ),
        call("pattern and keys", () => core.readHashes(c.conn, { ...hashOptions, keys: ["a"] })),
      ],
    }),
    scanHashes: connectionFirst(core.scanHashes, () => [hashOptions]),
    readJson: connectionFirst(core.readJson, () => [hashOptions]),
    scanJson: connectionFirst(core.scanJson, () => [hashOptions]),
    readLists: scan(core.readLists),
    scanLists: scan(core.scanLists),
    readSets: scan(core.readSets),
    scanSets: scan(core.scanSets),
    readZsets: scan(core.readZsets),
    scanZsets: scan(core.scanZsets),
    readStrings: scan(core.readStrings),
    scanStrings: scan(core.scanStrings),
    readStreams: connectionFirst(core.readStreams, () => [{ pattern: "walk:*" }], {
      more: (c) => [
        call("stream: (not an option of readStreams)", () =>
          core.readStreams(c.conn, { stream: "s" } as never),
        ),
      ],
    }),
    scanStreams: scan(core.scanStreams),
    readTimeseries: scan(core.readTimeseries),
    scanTimeseries: scan(core.scanTimeseries),
    existsKeys: keysCall(core.existsKeys),
    deleteKeys: keysCall(core.deleteKeys),
    persistKeys: keysCall(core.persistKeys),
    ttlKeys: keysCall(core.ttlKeys),
    setTtl: keysCall(core.setTtl, [["walk:1"], 10]),
    renameKeys: connectionFirst(core.renameKeys, () => [{ "walk:1": "walk:2" }, {}], {
      more: (c) => [call("mapping not an object", () => core.renameKeys(c.conn, 42 as never))],
    }),
    deleteKeysMatching: connectionFirst(core.deleteKeysMatching, () => ["walk:*", {}], {
      more: (c) => [call("empty pattern", () => core.deleteKeysMatching(c.conn, ""))],
    }),
    keyInfo: connectionFirst(core.keyInfo, () => [{ pattern: "walk:*" }]),
    scanKeyInfo: connectionFirst(core.scanKeyInfo, () => [{ pattern: "walk:*" }]),
    inferHashSchema: connectionFirst(core.inferHashSchema, () => [{ pattern: "walk:*" }]),
    inferJsonSchema: connectionFirst(core.inferJsonSchema, () => [{ pattern: "walk:*" }], {
      // Asks the server whether RedisJSON is loaded only after its arguments passed: the closed
      // connection is reported by that question.
    }),
    isCommandError: { exempt: PREDICATE },
  },
  "@polars-redis/core/internal": {
    isRedisConnection: { exempt: PREDICATE },
    looksLikeDataFrame: { exempt: PREDICATE },
    describeValue: { exempt: PREDICATE },
    closestName: { exempt: PREDICATE },
    didYouMean: { exempt: PREDICATE },
    optionNames: { exempt: "type-level helper: returns its argument (the compiler checks the list)" },
    checkConnection: calls(() => [
      call("not a connection", () => internal.checkConnection(null, { function: "f" })),
    ]),
    checkDataFrame: calls(() => [call("not a frame", () => internal.checkDataFrame({}, { function: "f" }))]),
    checkOptions: calls(() => [
      call("unknown option", () => internal.checkOptions({ patern: 1 }, ["pattern"], { function: "f" })),
      call("not an object", () => internal.checkOptions("x" as never, ["pattern"], { function: "f" })),
    ]),
    ByteColumn: { exempt: INTERNAL },
    anchorShape: { exempt: INTERNAL },
    fieldColumnsToArrow: { exempt: INTERNAL },
    findLineEnd: { exempt: INTERNAL },
    readInteger: { exempt: INTERNAL },
    replyAt: { exempt: INTERNAL },
    withLegacyReplies: { exempt: INTERNAL },
    CommandPipe: { exempt: INTERNAL },
    HashCommandEncoder: { exempt: INTERNAL },
    HashReplyDecoder: { exempt: INTERNAL },
    LuaScript: { exempt: INTERNAL },
    RequestPipe: { exempt: INTERNAL },
    RespEncoder: { exempt: INTERNAL },
    RespErrorReply: { exempt: INTERNAL },
    RespFrameDecoder: { exempt: INTERNAL },
    RespReader: { exempt: INTERNAL },
    RespValueDecoder: { exempt: INTERNAL },
    arrowColumnsToFrame: { exempt: INTERNAL },
    backoffDelay: { exempt: INTERNAL },
    byteColumnToArrow: { exempt: INTERNAL },
    commandPipeFor: { exempt: INTERNAL },
    decodeKeys: { exempt: INTERNAL },
    isIntegerDtype: { exempt: INTERNAL },
    isNumericDtype: { exempt: INTERNAL },
    dtypeLabel: { exempt: INTERNAL },
    emptyFastHashReport: { exempt: INTERNAL },
    encodeBulk: { exempt: INTERNAL },
    encodeCommands: { exempt: INTERNAL },
    instantToUnit: { exempt: INTERNAL },
    isDtypeName: { exempt: INTERNAL },
    isRetryableRedisCode: { exempt: INTERNAL },
    moduleNotLoadedFrom: { exempt: INTERNAL },
    moduleOfCommand: { exempt: INTERNAL },
    nonUtf8KeyHandler: { exempt: INTERNAL },
    openRawChannel: { exempt: INTERNAL },
    parseBoolean: { exempt: INTERNAL },
    parseDate: { exempt: INTERNAL },
    parseDatetime: { exempt: INTERNAL },
    parseFloat64: { exempt: INTERNAL },
    parseInstant: { exempt: INTERNAL },
    parseInt32: { exempt: INTERNAL },
    parseInt64: { exempt: INTERNAL },
    raceAbort: { exempt: INTERNAL },
    readHashFrames: { exempt: INTERNAL },
    redact: { exempt: INTERNAL },
    redisCodeOf: { exempt: INTERNAL },
    respValueLength: { exempt: INTERNAL },
    respValueReader: { exempt: INTERNAL },
    sleep: { exempt: INTERNAL },
    streamEntriesToFrame: { exempt: INTERNAL },
    takesRawPath: { exempt: INTERNAL },
    throwIfAborted: { exempt: INTERNAL },
    toKeyPage: { exempt: INTERNAL },
    toPolarsDtype: { exempt: INTERNAL },
    keySlot: calls(() => [call("not a key", () => internal.keySlot(null as never))]),
    parseRedisUrl: calls(() => [
      call("not a redis URL", () => internal.parseRedisUrl("http://x")),
      call("bad port", () => internal.parseRedisUrl("redis://h:99999")),
    ]),
    resolveDtype: calls(() => [
      call("a dtype that does not exist", () => internal.resolveDtype("integer", "schema.a")),
    ]),
    resolveSchema: calls(() => [call("not a schema", () => internal.resolveSchema(42))]),
    resolveRetryPolicy: calls(() => [
      call("another library's names", () => internal.resolveRetryPolicy({ initialMs: 5 } as never)),
      call("zero attempts", () => internal.resolveRetryPolicy(0)),
    ]),
    requireModule: {
      exempt: "asks the server (COMMAND INFO) on purpose; called by writers after their checks",
    },
  },
  "@polars-redis/cluster": {
    ClusterConnection: { exempt: CLASS },
    connectCluster: calls((c) => [
      call("no seeds", () => cluster.connectCluster([])),
      call("not a URL", () => cluster.connectCluster("http://127.0.0.1:1")),
      call("unknown option", () => cluster.connectCluster(c.url, { bogusOptionName: 1 } as never)),
      call("retry with attempts", () => cluster.connectCluster(c.url, { retry: { attempts: 3 } as never })),
      call("negative retry delay", () => cluster.connectCluster(c.url, { retry: { initialDelayMs: -1 } })),
    ]),
    keySlot: calls(() => [call("not a key", () => cluster.keySlot(null as never))]),
  },
  "@polars-redis/writer": {
    AmbiguousWriteError: { exempt: CLASS },
    MultiWriteResult: { exempt: CLASS },
    WriteAbortedError: { exempt: CLASS },
    WriteInterruptedError: { exempt: CLASS },
    writeHashes: writerRow("writeHashes"),
    writeJson: writerRow("writeJson"),
    writeLists: writerRow("writeLists"),
    writeSets: writerRow("writeSets"),
    writeZsets: writerRow("writeZsets"),
    writeStrings: writerRow("writeStrings"),
    writeStreams: writerRow("writeStreams"),
    writeTimeseries: writerRow("writeTimeseries"),
    redisHashSink: sinkRow(writer.redisHashSink),
    redisJsonSink: sinkRow(writer.redisJsonSink),
    redisStreamSink: sinkRow(writer.redisStreamSink),
    redisStringSink: sinkRow(writer.redisStringSink),
    writeToMany: calls((c: WalkContext) => [
      call("not a frame", () =>
        writer.writeToMany({ _key: ["a"] } as never, [{ name: "a", connection: c.conn }]),
      ),
      call("swapped: a connection first", () =>
        writer.writeToMany(c.conn as never, [{ name: "a", connection: c.conn }]),
      ),
      call("no destinations", () => writer.writeToMany(c.frame, [])),
      call("a destination without a connection", () => writer.writeToMany(c.frame, [{ name: "a" } as never])),
      call("a closed-over URL as connection", () =>
        writer.writeToMany(c.frame, [{ name: "a", connection: c.url as never }]),
      ),
      call("an unknown destination key", () =>
        writer.writeToMany(c.frame, [{ name: "a", connection: c.conn, timeout: 1 } as never]),
      ),
      call("duplicate names", () =>
        writer.writeToMany(c.frame, [
          { name: "a", connection: c.conn },
          { name: "a", connection: c.conn },
        ]),
      ),
      call("unknown option", () =>
        writer.writeToMany(c.frame, [{ name: "a", connection: c.conn }], { bogusOptionName: 1 } as never),
      ),
    ]),
    withRetry: calls(() => [
      call("not a function", () => writer.withRetry(null as never)),
      call("a retry policy with another library's names", () =>
        writer.withRetry(async () => 1, { initialMs: 5 } as never),
      ),
    ]),
  },
  "@polars-redis/streams": {
    createConsumer: connectionFirst(
      streams.createConsumer,
      () => [{ stream: "walk:s", group: "g", consumer: "c" }],
      { closed: false },
    ),
    createReader: connectionFirst(streams.createReader, () => [{ stream: "walk:s" }], { closed: false }),
    createRouter: calls((c) => [
      call("null options", () => streams.createRouter(null as never)),
      call("unknown option", () => streams.createRouter({ bogusOptionName: 1 } as never)),
      call("source without a connection", () =>
        streams.createRouter({ source: { stream: "s", group: "g", consumer: "c" }, routes: [] } as never),
      ),
      call("a route without a sink", () =>
        streams.createRouter({
          source: { connection: c.conn, stream: "s", group: "g", consumer: "c" },
          routes: [{ name: "r" }],
        } as never),
      ),
    ]),
    readStream: connectionFirst(streams.readStream, () => [{ stream: "walk:s" }]),
    readStreamRange: connectionFirst(streams.readStreamRange, () => [{ stream: "walk:s" }]),
    scanStream: connectionFirst(streams.scanStream, () => [{ stream: "walk:s" }]),
    scanStreamRange: connectionFirst(streams.scanStreamRange, () => [{ stream: "walk:s" }]),
    collectPubSub: calls((c) => [
      call("null target", () => streams.collectPubSub(null as never, { channels: ["c"], count: 1 })),
      call("unknown option", () =>
        streams.collectPubSub(c.conn, { channels: ["c"], count: 1, bogusOptionName: 1 } as never),
      ),
      call("no channels", () => streams.collectPubSub(c.conn, { count: 1 } as never)),
    ]),
    iterPubSub: calls((c) => [
      call("null target", () => streams.iterPubSub(null as never, { channels: ["c"] })),
      call("unknown option", () =>
        streams.iterPubSub(c.conn, { channels: ["c"], bogusOptionName: 1 } as never),
      ),
    ]),
    createRedisCheckpointStore: connectionFirst(streams.createRedisCheckpointStore, () => [{}], {
      closed: false,
    }),
    createFileCheckpointStore: calls(() => [
      call("null directory", () => streams.createFileCheckpointStore(null as never)),
      call("empty directory", () => streams.createFileCheckpointStore("")),
    ]),
    createMemoryCheckpointStore: calls(() => [
      call("initial not an object", () => streams.createMemoryCheckpointStore("x" as never)),
    ]),
    compareStreamIds: calls(() => [call("not stream ids", () => streams.compareStreamIds("a", "b"))]),
    nextStreamId: calls(() => [call("not a stream id", () => streams.nextStreamId("x"))]),
    isStreamId: { exempt: PREDICATE },
  },
  "@polars-redis/cache": {
    COMPRESSIONS: { exempt: "a constant" },
    cacheDataFrame: connectionFirst(cache.cacheDataFrame, (c) => ["walk:cache", c.frame, {}], {
      more: (c) => [
        call("not a frame", () => cache.cacheDataFrame(c.conn, "walk:cache", { a: [1] } as never)),
        call("empty key", () => cache.cacheDataFrame(c.conn, "", c.frame)),
      ],
    }),
    getCachedDataFrame: cacheKeyRow(cache.getCachedDataFrame, true),
    cacheTable: connectionFirst(cache.cacheTable, () => ["walk:cache", null, {}], { closed: false }),
    getCachedTable: cacheKeyRow(cache.getCachedTable, true),
    cacheExists: cacheKeyRow(cache.cacheExists, false),
    cacheInfo: cacheKeyRow(cache.cacheInfo, false),
    cacheTtl: cacheKeyRow(cache.cacheTtl, false),
    deleteCached: cacheKeyRow(cache.deleteCached, false),
    listCached: connectionFirst(cache.listCached, () => [{}]),
    cached: calls((c) => [
      call("not a function", () => cache.cached(null as never, { connection: c.conn } as never)),
      call("unknown option", () =>
        cache.cached(() => c.frame, { connection: c.conn, bogusOptionName: 1 } as never),
      ),
    ]),
    hashArguments: calls(() => [call("not a list", () => cache.hashArguments(42 as never))]),
  },
  "@polars-redis/search": {
    FieldRef: { exempt: CLASS },
    Query: { exempt: CLASS },
    createIndex: connectionFirst(search.createIndex, () => [index, {}]),
    ensureIndex: connectionFirst(search.ensureIndex, () => [index, {}]),
    diffIndex: connectionFirst(search.diffIndex, () => [index], { options: false }),
    dropIndex: connectionFirst(search.dropIndex, () => ["walk-idx", {}]),
    waitForIndex: connectionFirst(search.waitForIndex, () => ["walk-idx", {}]),
    rebuildIndex: connectionFirst(search.rebuildIndex, () => [
      "walk-alias",
      { prefixes: ["walk:"], fields: index.fields },
      {},
    ]),
    indexExists: connectionFirst(search.indexExists, () => ["walk-idx"], { options: false }),
    indexInfo: connectionFirst(search.indexInfo, () => ["walk-idx"], { options: false }),
    searchHashes: connectionFirst(search.searchHashes, () => [{ index: "walk-idx" }]),
    searchJson: connectionFirst(search.searchJson, () => [{ index: "walk-idx", schema: { name: pl.Utf8 } }]),
    scanSearch: connectionFirst(search.scanSearch, () => [{ index: "walk-idx" }]),
    countSearch: connectionFirst(search.countSearch, () => [{ index: "walk-idx" }]),
    aggregate: connectionFirst(search.aggregate, () => [{ index: "walk-idx" }]),
    scanAggregate: connectionFirst(search.scanAggregate, () => [{ index: "walk-idx" }]),
    explainQuery: connectionFirst(search.explainQuery, () => ["walk-idx", "*"], { options: false }),
    explainScan: connectionFirst(search.explainScan, () => [{ pattern: "walk:*" }]),
    smartScan: connectionFirst(search.smartScan, () => [{ pattern: "walk:*", schema: { name: pl.Utf8 } }]),
    smartRead: connectionFirst(search.smartRead, () => [{ pattern: "walk:*", schema: { name: pl.Utf8 } }]),
    defineIndex: calls(() => [
      call("null", () => search.defineIndex(null as never)),
      call("unknown key", () => search.defineIndex({ ...index, bogusOptionName: 1 } as never)),
      call("a field without a type", () =>
        search.defineIndex({ name: "i", fields: [{ name: "a" }] } as never),
      ),
    ]),
    createIndexArgs: calls(() => [call("null", () => search.createIndexArgs(null as never))]),
    aggregateArgs: calls(() => [call("no index", () => search.aggregateArgs({} as never))]),
    indexFromFrame: calls(() => [
      call("not a frame", () => search.indexFromFrame({} as never, { name: "i" } as never)),
    ]),
    raw: calls(() => [call("empty query", () => search.raw(""))]),
    or: calls(() => [call("no queries", () => search.or())]),
    col: calls(() => [call("empty field name", () => search.col(""))]),
    term: calls(() => [call("not a word", () => search.term(42 as never))]),
    all: { exempt: PREDICATE },
    and: { exempt: "and() of nothing is all(); and(q1, ...) composes queries built by the checked builders" },
    not: calls(() => [call("not a query", () => search.not(42 as never))]),
    escapeQueryText: { exempt: PREDICATE },
    globToRegex: { exempt: PREDICATE },
    describeDiff: { exempt: "formats a diffIndex() result" },
    parseIndexInfo: { exempt: "parses an FT.INFO reply; used by indexInfo" },
  },
  "@polars-redis/cli": {
    CliError: { exempt: CLASS },
    main: calls((c) => [
      call("an unknown command", () => usageError(["scna", "--url", c.url])),
      call("a misspelt option", () => usageError(["scan", "hashes", "--patern", "walk:*", "--url", c.url])),
      call("a bad URL", () => usageError(["keys", "exists", "walk:1", "--url", "http://x"])),
    ]),
  },
};
