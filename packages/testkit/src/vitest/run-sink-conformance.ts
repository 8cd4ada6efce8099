import { describe, expect, it } from "vitest";
import { type SinkConformanceOptions, sinkConformanceChecks } from "../sink/sink-conformance.js";
import type { SinkLike } from "../sink/sink-like.js";

/**
 * Registers the sink contract checks as vitest tests, in a `describe` named after the sink: every row is
 * written, per-key failures are reported (with `provokeFailure`), a replayed batch creates no duplicates (with
 * `readBack`), and close() is safe twice. A check the options cannot drive is listed as skipped, with why.
 */
export function runSinkConformance<S extends SinkLike>(
  name: string,
  options: SinkConformanceOptions<S>,
): void {
  describe(`${name}: sink conformance`, () => {
    for (const check of sinkConformanceChecks(options)) {
      if (check.notRunnable !== undefined) {
        it.skip(`${check.name} (not run: ${check.notRunnable})`, () => {});
        continue;
      }
      it(check.name, async () => {
        const failures = await check.run();
        expect(failures, `${name} does not meet "${check.name}":\n- ${failures.join("\n- ")}`).toEqual([]);
      });
    }
  });
}
