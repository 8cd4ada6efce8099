import {
  InvalidArgumentError,
  RedisCommandError,
  RedisConnectionError,
  WriteResult,
} from "@polars-redis/core";
import { describe, expect, it } from "vitest";
import { WriteAbortedError, withRetry } from "../src/index.js";

const oom = () => new RedisCommandError({ message: "OOM command not allowed", command: "EVALSHA" });
const wrongType = () =>
  new RedisCommandError({ message: "WRONGTYPE Operation against a key", command: "HSET" });
const fast = { attempts: 4, initialDelayMs: 1, maxDelayMs: 2 };

describe("withRetry", () => {
  it("re-sends only failed keys with retryable errors and merges the attempts", async () => {
    const calls: (string[] | undefined)[] = [];
    const result = await withRetry(async ({ attempt, keys }) => {
      calls.push(keys && [...keys].sort());
      if (attempt === 1) {
        return new WriteResult({
          written: 2,
          errors: new Map([
            ["a", oom()],
            ["b", wrongType()],
            ["c", oom()],
          ]),
        });
      }
      if (attempt === 2) return new WriteResult({ written: 1, errors: new Map([["c", oom()]]) });
      return new WriteResult({ written: 1 });
    }, fast);
    expect(calls).toEqual([undefined, ["a", "c"], ["c"]]);
    expect(result.written).toBe(4);
    expect(result.failedKeys()).toEqual(["b"]);
    expect(result.isCompleteSuccess()).toBe(false);
  });

  it("stops after the last attempt and keeps the last errors", async () => {
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        return new WriteResult({ written: 0, errors: new Map([["a", oom()]]) });
      },
      { ...fast, attempts: 3 },
    );
    expect(calls).toBe(3);
    expect(result.retryableKeys()).toEqual(["a"]);
  });

  it("retries a call that throws a retryable error, and rethrows a permanent one at once", async () => {
    let calls = 0;
    const value = await withRetry(async () => {
      calls++;
      if (calls < 3) throw new RedisConnectionError({ message: "refused", outcome: "rejected" });
      return "done";
    }, fast);
    expect(value).toBe("done");
    calls = 0;
    const error = await withRetry(async () => {
      calls++;
      throw new InvalidArgumentError("x", "bad");
    }, fast).catch((e: unknown) => e);
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect(calls).toBe(1);
  });

  it("gives up waiting when the signal fires, with the result so far", async () => {
    const controller = new AbortController();
    const pending = withRetry(
      async () => {
        setTimeout(() => controller.abort(), 0);
        return new WriteResult({ written: 1, errors: new Map([["a", oom()]]) });
      },
      { attempts: 5, initialDelayMs: 60_000, jitter: "none" },
      { signal: controller.signal },
    );
    const error = await pending.catch((e: unknown) => e);
    expect(WriteAbortedError.isInstance(error)).toBe(true);
    expect((error as WriteAbortedError).result.written).toBe(1);
    expect((error as WriteAbortedError).result.failedKeys()).toEqual(["a"]);
  });
});
