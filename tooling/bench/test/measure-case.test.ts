import { describe, expect, it } from "vitest";
import type { BenchCase, CaseContext } from "../src/registry/bench-case.js";
import { measureCase } from "../src/runner/measure-case.js";

const context: CaseContext = {
  server: { host: "127.0.0.1", port: 1, url: "redis://127.0.0.1:1" },
  size: 10,
};

describe("measureCase", () => {
  it("runs a case's prepare once, before the RSS at start is taken and before any run", async () => {
    const events: string[] = [];
    let held: Buffer | undefined;
    const benchCase: BenchCase = {
      name: "prepared",
      async prepare(given) {
        expect(given).toBe(context);
        events.push("prepare");
        // Memory the prepare step touches and keeps is in the RSS at start, not in the case's peak above it.
        held = Buffer.alloc(32 * 1024 * 1024, 1);
      },
      async run() {
        events.push("run");
        return { rows: 10 };
      },
    };
    const rssBefore = process.memoryUsage.rss();
    const measurement = await measureCase(benchCase, context, 1, 2, { trackMemory: true });
    expect(events).toEqual(["prepare", "run", "run", "run"]);
    expect(held?.length).toBe(32 * 1024 * 1024);
    expect(measurement.startRssBytes! - rssBefore).toBeGreaterThan(24 * 1024 * 1024);
    expect(measurement.samplesMs).toHaveLength(2);
  });

  it("runs a case without prepare as before", async () => {
    let runs = 0;
    const measurement = await measureCase(
      {
        name: "plain",
        async run() {
          runs++;
          return { rows: 10 };
        },
      },
      context,
      0,
      3,
      { trackMemory: false },
    );
    expect(runs).toBe(3);
    expect(measurement.startRssBytes).toBeNull();
  });
});
