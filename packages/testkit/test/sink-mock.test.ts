import pl from "nodejs-polars";
import { describe, expect, it } from "vitest";
import { MockKeyError, MockSink, MockWriteResult } from "../src/index.js";

const frame = (keys: string[]) => pl.DataFrame({ _key: keys, value: keys.map((_, index) => index) });
const context = (attempt = 1) => ({ signal: new AbortController().signal, attempt });

describe("MockSink", () => {
  it("records every call with its frame and context, and stores the rows by key", async () => {
    const sink = new MockSink({ name: "recorder" });
    const first = frame(["a", "b"]);
    const result = await sink.write(first, context());
    expect(result.written).toBe(2);
    expect(result.isCompleteSuccess()).toBe(true);
    await sink.write(frame(["b", "c"]), context(2));
    expect(sink.calls).toHaveLength(2);
    expect(sink.calls[0]!.frame).toBe(first);
    expect(sink.calls[1]!.context.attempt).toBe(2);
    expect(sink.calls[1]!.keys).toEqual(["b", "c"]);
    expect(sink.rows().map((row) => row._key)).toEqual(["a", "b", "c"]);
    expect(sink.row("b")).toEqual({ _key: "b", value: 0 });
  });

  it("follows a script: the n-th call gets the n-th step, later calls repeat the last", async () => {
    const down = new Error("destination down");
    const sink = new MockSink({ write: [{ throw: down }, { failKeys: ["b"] }, "ok"] });
    await expect(sink.write(frame(["a", "b"]), context(1))).rejects.toBe(down);
    const partial = await sink.write(frame(["a", "b"]), context(2));
    expect(partial.failedKeys()).toEqual(["b"]);
    expect(partial.written).toBe(1);
    expect(partial.errors.get("b")).toBeInstanceOf(MockKeyError);
    expect(partial.errors.get("b")!.retryable).toBe(true);
    expect((await sink.write(frame(["a", "b"]), context(3))).isCompleteSuccess()).toBe(true);
    expect((await sink.write(frame(["c"]), context(1))).isCompleteSuccess()).toBe(true);
    expect(sink.calls.map((call) => (call.error ? "threw" : call.result!.failed))).toEqual([
      "threw",
      1,
      0,
      0,
    ]);
  });

  it("failingTimes(n) fails n times, then succeeds", async () => {
    const sink = MockSink.failingTimes(2);
    await expect(sink.write(frame(["a"]), context(1))).rejects.toThrow("mock sink unavailable");
    await expect(sink.write(frame(["a"]), context(2))).rejects.toThrow("mock sink unavailable");
    expect((await sink.write(frame(["a"]), context(3))).written).toBe(1);
  });

  it("takes a function step that sees the call, and explicit per-key errors", async () => {
    const wrongType = new MockKeyError("WRONGTYPE Operation against a key", {
      retryable: false,
      code: "WRONGTYPE",
    });
    const sink = new MockSink({
      write: (call) => (call.keys.includes("bad") ? { failKeys: new Map([["bad", wrongType]]) } : "ok"),
    });
    const result = await sink.write(frame(["good", "bad"]), context());
    expect(result.errors.get("bad")).toBe(wrongType);
    expect(result.failed).toBe(1);
    expect(sink.row("bad")).toBeUndefined();
    expect(sink.row("good")).toBeDefined();
  });

  it("returns a scripted WriteResult as is", async () => {
    const scripted = new MockWriteResult({ writtenKeys: [], skipped: 2 });
    const sink = new MockSink({ write: scripted });
    expect(await sink.write(frame(["a", "b"]), context())).toBe(scripted);
    expect(sink.rows()).toEqual([]);
  });

  it("keys rows by rowIds when the frame has no key column", async () => {
    const sink = new MockSink();
    await sink.write(pl.DataFrame({ value: [1, 2] }), { ...context(), rowIds: ["1-0", "1-1"] });
    expect(sink.calls[0]!.keys).toEqual(["1-0", "1-1"]);
    await sink.write(pl.DataFrame({ value: [3] }), context());
    expect(sink.calls[1]!.keys).toEqual(["row:0"]);
  });

  it("with duplicateOnReplay, a replay stores the rows again (a deliberately broken sink)", async () => {
    const sink = new MockSink({ duplicateOnReplay: true });
    await sink.write(frame(["a", "b"]), context(1));
    await sink.write(frame(["a", "b"]), context(2));
    expect(sink.rows()).toHaveLength(4);
  });

  it("counts closes, tolerates a second close and refuses writes after it", async () => {
    const sink = new MockSink();
    await sink.close();
    await sink.close();
    expect(sink.closeCalls).toBe(2);
    await expect(sink.write(frame(["a"]), context())).rejects.toThrow(/closed/);
    expect(() => new MockSink({ write: [] })).toThrow(RangeError);
  });
});
