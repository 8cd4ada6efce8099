import type { DataFrame } from "nodejs-polars";
import { describe, expect, it } from "vitest";
import {
  checkSinkConformance,
  MockSink,
  MockWriteResult,
  type SinkConformanceOptions,
  type SinkLike,
} from "../src/index.js";
import { runSinkConformance } from "../src/vitest/index.js";

/** A MockSink standing for a destination where some keys are poisoned (as a WRONGTYPE key would be). */
function poisonableMockSink(options: ConstructorParameters<typeof MockSink>[0] = {}) {
  const poisoned = new Set<string>();
  const sink = new MockSink({
    ...options,
    write: (call) => ({ failKeys: call.keys.filter((key) => poisoned.has(key)) }),
  });
  return Object.assign(sink, { poisoned });
}

type PoisonableMockSink = ReturnType<typeof poisonableMockSink>;

const keysOf = (frame: DataFrame) => frame.getColumn("_key").toArray().map(String);

const mockOptions: SinkConformanceOptions<PoisonableMockSink> = {
  makeSink: () => poisonableMockSink(),
  readBack: async (sink) => sink.rows(),
  provokeFailure: async (sink, frame) => {
    const failing = keysOf(frame).slice(0, 3);
    for (const key of failing) sink.poisoned.add(key);
    return failing;
  },
};

// The suite as a user runs it on their sink.
runSinkConformance("MockSink", mockOptions);

// A sink with no readBack and no way to provoke failures still gets the checks it can run.
runSinkConformance("MockSink without readBack", { makeSink: () => new MockSink() });

describe("the conformance checks catch broken sinks", () => {
  it("a conforming sink passes every check", async () => {
    const report = await checkSinkConformance(mockOptions);
    expect([...report.keys()]).toEqual([
      "writes every row",
      "reports per-key failures",
      "a replayed batch creates no duplicates",
      "closes cleanly",
    ]);
    for (const failures of report.values()) expect(failures).toEqual([]);
  });

  it("duplicates on replay fail the replay check", async () => {
    const report = await checkSinkConformance({
      ...mockOptions,
      makeSink: () => poisonableMockSink({ duplicateOnReplay: true }),
    });
    const failures = report.get("a replayed batch creates no duplicates")!;
    expect(failures.some((failure) => /holds 50 rows/.test(failure))).toBe(true);
    expect(failures.some((failure) => /is stored 2 times/.test(failure))).toBe(true);
    expect(report.get("writes every row")).toEqual([]);
  });

  it("throwing on a partial failure fails the per-key check", async () => {
    const report = await checkSinkConformance({
      ...mockOptions,
      makeSink: () => {
        const sink = poisonableMockSink();
        return Object.assign(sink, {
          write: async (frame: DataFrame, context: Parameters<SinkLike["write"]>[1]) => {
            if (keysOf(frame).some((key) => sink.poisoned.has(key))) throw new Error("batch failed");
            return MockSink.prototype.write.call(sink, frame, context);
          },
        });
      },
    });
    expect(report.get("reports per-key failures")).toEqual([
      "write threw on a partial failure instead of reporting the keys: Error: batch failed",
    ]);
  });

  it("claiming success without storing fails the every-row check", async () => {
    const report = await checkSinkConformance({
      ...mockOptions,
      makeSink: () =>
        Object.assign(poisonableMockSink(), { write: async () => new MockWriteResult({ writtenKeys: [] }) }),
    });
    const failures = report.get("writes every row")!;
    expect(failures[0]).toBe("written (0) + failed (0) + skipped (0) != 25 rows");
    expect(failures.some((failure) => /is not in the destination/.test(failure))).toBe(true);
  });

  it("storing a different value fails the every-row check", async () => {
    const report = await checkSinkConformance({
      ...mockOptions,
      readBack: async (sink) => sink.rows().map((row) => ({ ...row, name: "mangled" })),
    });
    expect(
      report.get("writes every row")!.some((failure) => /column "name": stored mangled/.test(failure)),
    ).toBe(true);
  });

  it("storing only the key fails the every-row and replay checks, unless the columns are ignored", async () => {
    // A destination that keeps the key and drops every other column: each row "exists", no value is stored.
    const keyOnly = {
      ...mockOptions,
      readBack: async (sink: PoisonableMockSink) => sink.rows().map(({ _key }) => ({ _key })),
    };
    const report = await checkSinkConformance(keyOnly);
    for (const check of ["writes every row", "a replayed batch creates no duplicates"] as const) {
      const failures = report.get(check)!;
      expect(failures).toHaveLength(25 * 4);
      expect(failures[0]).toMatch(/^row "conformance.*0" column "id" is not stored \(or not read back\)$/);
      for (const column of ["id", "amount", "active", "name"]) {
        expect(
          failures.filter((failure) => failure.includes(`column "${column}" is not stored`)),
        ).toHaveLength(25);
      }
    }
    // A sink that projects on purpose says which columns it leaves out; the rest is still checked.
    const projecting = await checkSinkConformance({
      ...keyOnly,
      ignoreColumns: ["id", "amount", "active", "name"],
    });
    expect(projecting.get("writes every row")).toEqual([]);
    const partly = await checkSinkConformance({ ...keyOnly, ignoreColumns: ["id", "amount", "active"] });
    expect(partly.get("writes every row")).toHaveLength(25);
    await expect(checkSinkConformance({ ...keyOnly, ignoreColumns: ["_key"] })).rejects.toThrow(/key column/);
  });

  it("reporting the wrong keys fails the per-key check", async () => {
    const report = await checkSinkConformance({
      ...mockOptions,
      makeSink: () => {
        const sink = poisonableMockSink();
        return Object.assign(sink, {
          write: async (frame: DataFrame) => {
            const keys = keysOf(frame);
            return new MockWriteResult({
              writtenKeys: keys.slice(1),
              errors: new Map([[keys[0]!, Object.assign(new Error("x"), { retryable: false })]]),
            });
          },
        });
      },
    });
    const failures = report.get("reports per-key failures")!;
    expect(failures).toContain("failed is 1, expected 3");
    expect(failures.some((failure) => failure.startsWith("failed keys not reported:"))).toBe(true);
  });

  it("a close() that throws the second time fails the close check", async () => {
    const report = await checkSinkConformance({
      ...mockOptions,
      makeSink: () => {
        const sink = poisonableMockSink();
        return Object.assign(sink, {
          close: async () => {
            if (sink.closed) throw new Error("already closed");
            await MockSink.prototype.close.call(sink);
          },
        });
      },
    });
    expect(report.get("closes cleanly")).toEqual(["the second close() threw: Error: already closed"]);
  });

  it("a frame without the key column is a clear error, not a silent pass", async () => {
    const report = await checkSinkConformance({ ...mockOptions, keyColumn: "id_missing" });
    expect(report.get("writes every row")![0]).toMatch(/no key column "id_missing"/);
  });
});
