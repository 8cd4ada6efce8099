import { describe, expect, it } from "vitest";
import { FAULT_KINDS, formatReport, runSoak } from "../src/soak.js";

// The short soak of CI: every fault kind at least once (router kill -9, source master kill -9 + AOF restart,
// destination blackhole, destination reset, master failover) while events flow; nothing may be lost or left
// unaccounted. The long run is `pnpm soak` (docs/soak.md).

describe("soak (short)", () => {
  it("every fault kind once under load: nothing lost, nothing unaccounted", async () => {
    const report = await runSoak({
      durationMs: 30_000,
      rate: 300,
      routers: 2,
      faultEveryMs: 5000,
      everyFaultOnce: true,
      faults: FAULT_KINDS,
      seed: 12,
      log: (line) => console.log(line),
    });
    console.log(formatReport(report));
    const kinds = new Set(report.tallies.map((tally) => tally.fault));
    for (const kind of FAULT_KINDS) expect(kinds).toContain(kind);
    expect(report.events).toBeGreaterThan(5000);
    for (const tally of report.tallies) expect(tally).toMatchObject({ lost: 0, unaccounted: 0 });
    expect(report.ok).toBe(true);
  });
});
