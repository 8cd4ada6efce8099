import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY_POLICY, InvalidArgumentError } from "../src/index.js";
import { backoffDelay, resolveRetryPolicy, sleep } from "../src/internal.js";

describe("RetryPolicy", () => {
  it("fills in defaults; false disables retries; a number is the attempts", () => {
    expect(resolveRetryPolicy(undefined)).toEqual(DEFAULT_RETRY_POLICY);
    expect(resolveRetryPolicy(true)).toEqual(DEFAULT_RETRY_POLICY);
    expect(resolveRetryPolicy(false).attempts).toBe(1);
    expect(resolveRetryPolicy(5).attempts).toBe(5);
    expect(resolveRetryPolicy({ attempts: Number.POSITIVE_INFINITY }).attempts).toBe(
      Number.POSITIVE_INFINITY,
    );
    const defaults = {
      attempts: 9,
      initialDelayMs: 1,
      maxDelayMs: 2,
      multiplier: 3,
      jitter: "none",
    } as const;
    expect(resolveRetryPolicy({ maxDelayMs: 7 }, { defaults })).toEqual({ ...defaults, maxDelayMs: 7 });
    // A first delay above the default cap raises the cap; an explicit cap below it is an error.
    expect(resolveRetryPolicy({ initialDelayMs: 60_000 }).maxDelayMs).toBe(60_000);
  });

  it("rejects nonsense policies with the argument named", () => {
    const bad: unknown[] = [
      0,
      1.5,
      "3",
      null,
      [],
      { attempts: 1.5 },
      { attempts: "3" },
      { initialDelayMs: -1 },
      { initialDelayMs: Number.NaN },
      { initialDelayMs: 500, maxDelayMs: 100 },
      { multiplier: 0.5 },
      { jitter: "some" },
      { jitter: 0.2 },
    ];
    for (const option of bad) {
      expect(
        () => resolveRetryPolicy(option as never, { argument: "retryBackoff" }),
        JSON.stringify(option),
      ).toThrow(InvalidArgumentError);
    }
    expect(() => resolveRetryPolicy({ attempts: 0 }, { argument: "retryBackoff" })).toThrow(
      /retryBackoff\.attempts: must be an integer >= 1/,
    );
  });

  it("refuses unknown keys, with a hint for the names other libraries use", () => {
    expect(() => resolveRetryPolicy({ initialMs: 10 } as never)).toThrow(
      /retry\.initialMs: unknown retry policy option; did you mean "initialDelayMs"\?/,
    );
    expect(() => resolveRetryPolicy({ maxMs: 10 } as never)).toThrow(/did you mean "maxDelayMs"/);
    expect(() => resolveRetryPolicy({ bogus: 1 } as never)).toThrow(/unknown retry policy option \(known:/);
  });
});

describe("backoffDelay", () => {
  it("grows exponentially up to the cap, with jitter inside the bounds", () => {
    const policy = resolveRetryPolicy({
      initialDelayMs: 100,
      maxDelayMs: 1000,
      multiplier: 2,
      jitter: "none",
    });
    expect([1, 2, 3, 4, 5].map((retry) => backoffDelay(retry, policy))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffDelay(10_000, policy)).toBe(1000);
    expect(backoffDelay(0, policy)).toBe(100);
    const full = resolveRetryPolicy({ initialDelayMs: 100, maxDelayMs: 1000, jitter: "full" });
    expect(backoffDelay(3, full, () => 0)).toBe(0);
    expect(backoffDelay(3, full, () => 0.5)).toBe(200);
    const equal = resolveRetryPolicy({ initialDelayMs: 100, maxDelayMs: 1000, jitter: "equal" });
    expect(backoffDelay(3, equal, () => 0)).toBe(200);
    expect(backoffDelay(3, equal, () => 0.999)).toBeCloseTo(399.8);
    for (let i = 0; i < 200; i++) {
      const delay = backoffDelay(4, equal);
      expect(delay).toBeGreaterThanOrEqual(400);
      expect(delay).toBeLessThanOrEqual(800);
    }
  });
});

describe("sleep", () => {
  it("resolves true after the wait, false when aborted before or during it", async () => {
    await expect(sleep(1)).resolves.toBe(true);
    await expect(sleep(0)).resolves.toBe(true);
    const before = new AbortController();
    before.abort();
    await expect(sleep(60_000, before.signal)).resolves.toBe(false);
    const during = new AbortController();
    const waiting = sleep(60_000, during.signal);
    during.abort();
    await expect(waiting).resolves.toBe(false);
  });
});
