import { useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { beforeAll, describe, expect, it } from "vitest";
import {
  AbortedError,
  type Command,
  connect,
  type RedisConnection,
  readHashes,
  type ScanReport,
  SchemaMismatchError,
  scanHashes,
} from "../src/index.js";
import { openRawChannel } from "../src/internal.js";
import { onPath } from "./fixtures/read-paths.js";

/**
 * scanHashes / readHashes over a connection that can open a raw RESP2 channel take the fast path (src/fast).
 * It must give exactly the frames and reports of the batch path, with every option.
 */
const redis = useRedisConnection({ connect });
let raw: RedisConnection;
let rawChannelsOpened = 0;

beforeAll(async () => {
  const { conn, server } = redis;
  raw = Object.assign(Object.create(conn) as RedisConnection, {
    openRawChannel: () => {
      rawChannelsOpened++;
      return openRawChannel({ host: server.host, port: server.port });
    },
  });
  const commands: Command[] = [];
  for (let i = 0; i < 2500; i++) {
    const fields = ["name", `user-${i}-名前`, "age", String(i % 90), "score", String(i * 1.5)];
    if (i % 7 !== 0) fields.push("joined", `2024-01-${String((i % 28) + 1).padStart(2, "0")}`);
    if (i % 11 !== 0) fields.push("seen", `2024-01-15T10:${String(i % 60).padStart(2, "0")}:00+02:00`);
    fields.push("active", i % 3 === 0 ? "yes" : "false", "city", ["Paris", "Oslo", "Lima"][i % 3]!);
    if (i % 500 === 7) fields.push("age", "unknown");
    commands.push(["HSET", `u:${i}`, ...fields]);
    if (i % 10 === 0) commands.push(["PEXPIRE", `u:${i}`, "600000"]);
  }
  commands.push(["SET", "u:not-a-hash", "x"], ["HSET", "u:other-fields", "zzz", "1"]);
  await redis.send(commands);
});

const schema = {
  name: pl.Utf8,
  age: pl.Int64,
  score: pl.Float64,
  joined: pl.Date,
  seen: pl.Datetime("ms", "UTC"),
  active: pl.Bool,
  city: pl.Categorical,
};

async function both(
  options: Parameters<typeof readHashes>[1],
): Promise<[pl.DataFrame, pl.DataFrame, ScanReport[]]> {
  const reports: ScanReport[] = [];
  const onReport = (report: ScanReport) => reports.push(report);
  const viaBatch = await readHashes(onPath(redis.conn, "batch"), { ...options, onReport });
  const opened = rawChannelsOpened;
  const viaRaw = await readHashes(raw, { ...options, onReport });
  expect(rawChannelsOpened).toBe(opened + 1);
  return [viaBatch, viaRaw, reports];
}

/** Compares frames with categorical columns as text (their encodings may differ between two reads). */
function comparable(frame: pl.DataFrame, sortBy?: string): pl.DataFrame {
  const text = frame.withColumns(
    ...frame.columns
      .filter((name) => String(frame.getColumn(name).dtype).includes("Categorical"))
      .map((name) => pl.col(name).cast(pl.Utf8)),
  );
  return sortBy === undefined ? text : text.sort(sortBy);
}

describe("the raw path gives what the batch path gives", () => {
  it("full reads with nulls coerced and TTL", async () => {
    const [viaBatch, viaRaw, reports] = await both({
      pattern: "u:*",
      schema,
      onError: "null",
      includeTtl: true,
      batchSize: 300,
    });
    expect(viaRaw.height).toBe(2501);
    expect(viaRaw.columns).toEqual(viaBatch.columns);
    expect(viaRaw.dtypes.map(String)).toEqual(viaBatch.dtypes.map(String));
    // TTLs count down between the two reads: compare which keys have one, not the milliseconds.
    const shape = (frame: pl.DataFrame) =>
      comparable(frame.withColumns(pl.col("_ttl").isNotNull().alias("_ttl")), "_key");
    expect(shape(viaRaw).frameEqual(shape(viaBatch), true)).toBe(true);
    const [batchReport, rawReport] = reports as [ScanReport, ScanReport];
    expect(rawReport.coercedToNull).toEqual(batchReport.coercedToNull);
    expect(rawReport.coercedToNull).toEqual({ age: 5 });
    expect(rawReport.keysScanned).toBe(batchReport.keysScanned);
    expect(rawReport.rows).toBe(2501);
  });

  it("projection, filter, limit, row index and an explicit key list in order", async () => {
    const keys = Array.from({ length: 900 }, (_, i) => `u:${899 - i}`).concat(["u:gone", "u:not-a-hash"]);
    const [viaBatch, viaRaw, reports] = await both({
      keys,
      schema,
      columns: ["score", "name"],
      filter: pl.col("score").gt(300),
      limit: 250,
      includeRowIndex: true,
      batchSize: 100,
    });
    expect(viaRaw.height).toBe(250);
    expect(viaRaw.frameEqual(viaBatch, true)).toBe(true);
    expect(viaRaw.getColumn("_key").toArray()[0]).toBe("u:899");
    expect(reports[1]!.limitReached).toBe(true);
  });

  it("counts missing and wrong-type keys alike", async () => {
    const keys = ["u:1", "u:gone", "u:not-a-hash", "u:other-fields", "u:2"];
    const [viaBatch, viaRaw, reports] = await both({ keys, schema, columns: ["age"] });
    expect(comparable(viaRaw).frameEqual(comparable(viaBatch), true)).toBe(true);
    expect(viaRaw.getColumn("_key").toArray()).toEqual(["u:1", "u:other-fields", "u:2"]);
    expect(reports.map((r) => [r.keysMissing, r.keysWrongType])).toEqual([
      [1, 1],
      [1, 1],
    ]);
  });
});

describe("raw path behaviour", () => {
  it("keeps frames of scanHashes within batchSize rows", async () => {
    const heights: number[] = [];
    for await (const frame of scanHashes(raw, { pattern: "u:*", schema, onError: "null", batchSize: 400 })) {
      heights.push(frame.height);
    }
    expect(heights.reduce((a, b) => a + b, 0)).toBe(2501);
    expect(Math.max(...heights)).toBeLessThanOrEqual(400);
  });

  it('raises SchemaMismatchError under onError "raise"', async () => {
    const error = await readHashes(raw, { pattern: "u:*", schema }).catch((e: unknown) => e);
    expect(SchemaMismatchError.isInstance(error)).toBe(true);
    expect((error as SchemaMismatchError).field).toBe("age");
    expect((error as SchemaMismatchError).rawValue).toBe("unknown");
  });

  it("aborts promptly and closes its channel", async () => {
    const controller = new AbortController();
    const clientsBefore = await clientCount();
    const error = await (async () => {
      for await (const _ of scanHashes(raw, {
        pattern: "u:*",
        schema,
        onError: "null",
        batchSize: 100,
        signal: controller.signal,
      })) {
        controller.abort();
      }
    })().catch((e: unknown) => e);
    expect(AbortedError.isInstance(error)).toBe(true);
    await expect.poll(clientCount, { timeout: 10_000 }).toBe(clientsBefore);
    expect(await redis.conn.call("PING")).toBe("PONG");
  });
});

async function clientCount(): Promise<number> {
  const list = String(await redis.conn.call("CLIENT", "LIST"));
  return list.trim().split("\n").length;
}
