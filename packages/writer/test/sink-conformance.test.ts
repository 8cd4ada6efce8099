import { connect, readHashes, readStrings } from "@polars-redis/core";
import {
  createWrongTypeConflict,
  forceOutOfMemory,
  InMemoryModules,
  type OutOfMemoryFault,
  uniqueKeyPrefix,
} from "@polars-redis/testkit";
import { runSinkConformance, useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { afterAll } from "vitest";
import { redisHashSink, redisJsonSink, redisStreamSink, redisStringSink } from "../src/index.js";

const redis = useRedisConnection({ connect });
let oom: OutOfMemoryFault | undefined;

afterAll(async () => {
  await oom?.restore();
});

/** The conformance frame's columns as typed values, read back through core's hash reader. */
const CONFORMANCE_SCHEMA = { id: pl.Int64, amount: pl.Float64, active: pl.Bool, name: pl.Utf8 };

/** Fails every key of a batch with the server's real OOM reply (restored in cleanup). */
async function outOfMemory(_sink: unknown, frame: pl.DataFrame): Promise<string[]> {
  oom = await forceOutOfMemory(redis.server);
  return frame.getColumn("_key").toArray() as string[];
}

async function restoreMemory(): Promise<void> {
  await oom?.restore();
  oom = undefined;
}

runSinkConformance("redisHashSink", {
  makeSink: () => redisHashSink(redis.conn),
  readBack: async (_sink, keys) =>
    (await readHashes(redis.conn, { keys, schema: CONFORMANCE_SCHEMA })).toRecords(),
  provokeFailure: outOfMemory,
  cleanup: restoreMemory,
});

runSinkConformance("redisHashSink (append mode)", {
  makeSink: () => redisHashSink(redis.conn, { ifExists: "append" }),
  readBack: async (_sink, keys) =>
    (await readHashes(redis.conn, { keys, schema: CONFORMANCE_SCHEMA })).toRecords(),
  provokeFailure: async (_sink, frame) => {
    const keys = (frame.getColumn("_key").toArray() as string[]).filter((_, index) => index % 4 === 1);
    for (const key of keys) await createWrongTypeConflict(redis.server, key, { as: "set" });
    return keys;
  },
});

runSinkConformance("redisStringSink", {
  makeSink: () => redisStringSink(redis.conn, { valueColumn: "name" }),
  ignoreColumns: ["id", "amount", "active"], // a string sink stores only its value column
  readBack: async (_sink, keys) =>
    (await readStrings(redis.conn, { keys, valueColumn: "name" })).toRecords() as Record<string, unknown>[],
  provokeFailure: outOfMemory,
  cleanup: restoreMemory,
});

const streams = new WeakMap<object, string>();
runSinkConformance("redisStreamSink", {
  makeSink: () => {
    const stream = uniqueKeyPrefix("conformance-stream");
    const sink = redisStreamSink(redis.conn, { stream, idColumn: "id" });
    streams.set(sink, stream);
    return sink;
  },
  ignoreColumns: ["id"], // the id column becomes the entry ID, not a field
  readBack: (sink) => streamRecords(streams.get(sink)!),
  provokeFailure: async (sink, frame) => {
    await createWrongTypeConflict(redis.server, streams.get(sink)!, { as: "string" });
    return frame.getColumn("_key").toArray() as string[];
  },
});

runSinkConformance("redisStreamSink (remembered row ids)", {
  makeSink: () => {
    const stream = uniqueKeyPrefix("conformance-dedupe");
    const sink = redisStreamSink(redis.conn, { stream, ids: "dedupe" });
    streams.set(sink, stream);
    return sink;
  },
  readBack: (sink) => streamRecords(streams.get(sink)!),
  provokeFailure: async (sink, frame) => {
    await createWrongTypeConflict(redis.server, streams.get(sink)!, { as: "hash" });
    return frame.getColumn("_key").toArray() as string[];
  },
});

const fakes = new WeakMap<object, InMemoryModules>();
runSinkConformance("redisJsonSink (RedisJSON fake)", {
  makeSink: () => {
    const fake = new InMemoryModules();
    const sink = redisJsonSink(fake);
    fakes.set(sink, fake);
    return sink;
  },
  readBack: async (sink, keys) =>
    keys.flatMap((key) => {
      const document = fakes.get(sink)!.json.get(key) as Record<string, unknown> | undefined;
      return document ? [{ _key: key, ...document }] : [];
    }),
  provokeFailure: async (sink, frame) => {
    const keys = (frame.getColumn("_key").toArray() as string[]).filter((_, index) => index % 5 === 0);
    for (const key of keys) fakes.get(sink)!.strings.set(key, "not JSON");
    return keys;
  },
});

/** A stream's entries as records of the conformance frame's values. */
async function streamRecords(stream: string): Promise<Record<string, unknown>[]> {
  const entries = (await redis.conn.call("XRANGE", stream, "-", "+")) as [string, string[]][];
  return entries.map(([, flat]) => {
    const record: Record<string, unknown> = {};
    for (let i = 0; i < flat.length; i += 2) record[flat[i]!] = flat[i + 1];
    // Stored text → the frame's values: "5.0" is the Float64 5.
    record.amount = Number(record.amount);
    return record;
  });
}
