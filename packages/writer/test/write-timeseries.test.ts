import { InvalidArgumentError, type RedisConnection, readTimeseries } from "@polars-redis/core";
import { InMemoryModules, type ScriptModel } from "@polars-redis/testkit";
import { requireModules } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { describe, expect, it } from "vitest";
import { writeTimeseries } from "../src/index.js";
import { decodeMsgpack } from "./fixtures/msgpack.js";
import {
  reportSkippedLane,
  STACK_URL,
  type StackLane,
  useModuleLane,
  useStackLane,
} from "./fixtures/stack-lane.js";

/**
 * What the writer's time-series script does, per its documented layout (ARGV: mode, retention, policy, then a
 * MessagePack payload holding per key: ttl, n, label count, labels, timestamp/value pairs), run against the
 * fake's model. The real script runs in the live lane.
 */
const timeseriesScript: ScriptModel = {
  matches: (body) => body.includes("TS.CREATE") && body.includes("TS.MADD"),
  run: (fake, keys, argv) => {
    const [mode, retention, policy] = argv as [string, string, string];
    const args = argv[3] as (string | number)[];
    let a = 0;
    return keys.map((key) => {
      const ttl = Number(args[a]);
      const last = a + 1 + Number(args[a + 1]);
      let p = a + 2;
      a = last + 1;
      if (mode === "fail" && fake.exists(key)) return 0;
      if (mode === "replace") fake.del(key);
      const labelCount = Number(args[p]);
      const labels = args.slice(p + 1, p + 1 + labelCount).map(String);
      p += 1 + labelCount;
      const create = [key, "DUPLICATE_POLICY", policy, ...(retention ? ["RETENTION", retention] : [])];
      try {
        fake.tsCreate(labelCount > 0 ? [...create, "LABELS", ...labels] : create);
      } catch (error) {
        if (!(mode === "append" && (error as Error).message.includes("already exists")))
          return (error as Error).message;
      }
      for (; p <= last; p += 2) {
        const sample = fake.tsAdd(key, Number(args[p]), Number(args[p + 1]));
        if (sample instanceof Error) return sample.message;
      }
      if (ttl > 0) fake.expiries.set(key, ttl);
      return 1;
    });
  },
};

const samples = () =>
  pl.DataFrame([
    pl.Series("_key", ["cpu:1", "cpu:1", "cpu:2", "cpu:2"]),
    pl.Series("_ts", [new Date(1000), new Date(2000), new Date(1000), null]),
    pl.Series("value", [0.5, 1.5, 42, 7]),
    pl.Series("host", ["a", "a", "b", "b"]),
  ]);

describe("writeTimeseries (RedisTimeSeries, against a fake that answers as the command reference says)", () => {
  it("creates missing series with LAST policy and labels, then adds samples with TS.MADD", async () => {
    const fake = new InMemoryModules();
    const result = await writeTimeseries(fake, samples(), {
      labelColumns: ["host"],
      labels: { unit: "pct" },
      retentionMs: 60_000,
    });
    expect(result.written).toBe(2);
    expect(fake.commands).toEqual([
      [
        "TS.CREATE",
        "cpu:1",
        "DUPLICATE_POLICY",
        "LAST",
        "RETENTION",
        "60000",
        "LABELS",
        "unit",
        "pct",
        "host",
        "a",
      ],
      ["TS.MADD", "cpu:1", "1000", "0.5", "cpu:1", "2000", "1.5"],
      [
        "TS.CREATE",
        "cpu:2",
        "DUPLICATE_POLICY",
        "LAST",
        "RETENTION",
        "60000",
        "LABELS",
        "unit",
        "pct",
        "host",
        "b",
      ],
      ["TS.MADD", "cpu:2", "1000", "42.0"],
    ]);
    expect([...fake.series.get("cpu:1")!.samples]).toEqual([
      [1000, 0.5],
      [2000, 1.5],
    ]);
  });

  it("appends to existing series (TS.CREATE's 'already exists' is fine) and a replay is harmless", async () => {
    const fake = new InMemoryModules();
    await writeTimeseries(fake, samples());
    const replay = await writeTimeseries(fake, samples());
    expect(replay.isCompleteSuccess()).toBe(true);
    expect(fake.series.get("cpu:1")!.samples.size).toBe(2);
  });

  it("reports a sample refused by a BLOCK series as that key's error", async () => {
    const fake = new InMemoryModules();
    fake.tsCreate(["cpu:1", "DUPLICATE_POLICY", "BLOCK"]);
    fake.tsAdd("cpu:1", 1000, 9);
    const result = await writeTimeseries(fake, samples());
    expect(result.failedKeys()).toEqual(["cpu:1"]);
    expect(result.errors.get("cpu:1")!.message).toContain("DUPLICATE_POLICY");
    expect(result.written).toBe(1);
  });

  it("replace recreates each series atomically through the script (sent with EVAL after NOSCRIPT)", async () => {
    const fake = new InMemoryModules({ scripts: [timeseriesScript], decodeArgument: decodeMsgpack });
    fake.tsCreate(["cpu:1", "DUPLICATE_POLICY", "LAST"]);
    fake.tsAdd("cpu:1", 5, 1);
    const result = await writeTimeseries(fake, samples(), { ifExists: "replace", ttl: 9 });
    expect(result.written).toBe(2);
    expect([...fake.series.get("cpu:1")!.samples.keys()]).toEqual([1000, 2000]);
    expect(fake.expiries.get("cpu:1")).toBe(9000);
    expect(fake.commands.map(([name]) => name)).toEqual(["EVALSHA", "EVAL"]);
    const [, , keyCount, key1, key2, mode, retention, policy] = fake.commands[1]!;
    const payload = decodeMsgpack(fake.sent[1]![8] as Buffer);
    expect([keyCount, key1, key2, mode, retention, policy]).toEqual([
      "2",
      "cpu:1",
      "cpu:2",
      "replace",
      "",
      "LAST",
    ]);
    // Per key: ttl, n, label count, then timestamp/value pairs.
    expect(payload).toEqual([9000, 5, "0", "1000", "0.5", "2000", "1.5", 9000, 3, "0", "1000", "42.0"]);

    const again = await writeTimeseries(fake, samples(), { ifExists: "fail" });
    expect(again.skipped).toBe(2);
    expect(fake.commands.at(-1)![0]).toBe("EVALSHA");
  });

  it("refuses non-finite values, negative times and bad dtypes before writing", async () => {
    const fake = new InMemoryModules();
    const bad = [
      pl.DataFrame({ _key: ["k"], _ts: [1], value: [Number.POSITIVE_INFINITY] }),
      pl.DataFrame({ _key: ["k"], _ts: [-5], value: [1] }).withColumns(pl.col("_ts").cast(pl.Int64)),
      pl.DataFrame({ _key: ["k"], _ts: ["yesterday"], value: [1] }),
      pl.DataFrame({ _key: ["k"], _ts: [1], value: ["high"] }).withColumns(pl.col("_ts").cast(pl.Int64)),
    ];
    for (const frame of bad) {
      const error = await writeTimeseries(fake, frame).catch((e: unknown) => e);
      expect(InvalidArgumentError.isInstance(error), String(frame)).toBe(true);
    }
    expect(fake.commands).toEqual([]);
  });
});

reportSkippedLane("writeTimeseries");

describe.runIf(requireModules("timeseries"))("writeTimeseries live (RedisTimeSeries module)", () => {
  liveLane(useModuleLane(["timeseries"]));
});

describe.skipIf(!STACK_URL)("writeTimeseries live (REDIS_STACK_URL)", () => {
  liveLane(useStackLane());
});

/** A series' samples as [timestamp ms, value] read through core's time-series scan (typed, not raw text). */
async function samplesOf(conn: RedisConnection, key: string): Promise<[number, number][]> {
  const frame = await readTimeseries(conn, { keys: [key] });
  const values = frame.getColumn("value").toArray() as number[];
  return (frame.getColumn("_ts").toArray() as unknown as Date[]).map((ts, i) => [ts.getTime(), values[i]!]);
}

function liveLane(stack: StackLane): void {
  it("appends, replays, replaces and skips on a real RedisTimeSeries", async () => {
    const options = { keyPrefix: stack.prefix, labelColumns: ["host"] };
    expect((await writeTimeseries(stack.conn, samples(), options)).written).toBe(2);
    expect((await writeTimeseries(stack.conn, samples(), options)).isCompleteSuccess()).toBe(true);
    // Read back as numbers: RedisTimeSeries 1.10 formats 0.5 as "5E-1", Redis Stack as "0.5".
    expect(await samplesOf(stack.conn, `${stack.prefix}cpu:1`)).toEqual([
      [1000, 0.5],
      [2000, 1.5],
    ]);
    const replaced = await writeTimeseries(stack.conn, samples().tail(2), {
      ...options,
      ifExists: "replace",
      ttl: 600,
    });
    expect(replaced.written).toBe(1);
    expect(await samplesOf(stack.conn, `${stack.prefix}cpu:2`)).toEqual([[1000, 42]]);
    expect(await stack.conn.call("TTL", `${stack.prefix}cpu:2`)).toBeGreaterThan(0);
    expect((await writeTimeseries(stack.conn, samples(), { ...options, ifExists: "fail" })).skipped).toBe(2);
  });
}
