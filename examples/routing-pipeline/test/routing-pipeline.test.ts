import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

it("routes through an outage of B and checks every destination against Polars over the source (exit 0)", async () => {
  const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolve) => {
      execFile(
        process.execPath,
        [main],
        { env: { ...process.env, DEMO_EVENTS: "20000", DEMO_OUTAGE_MS: "2500" }, maxBuffer: 10_000_000 },
        (error, out, err) =>
          resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout: out, stderr: err }),
      );
    },
  );
  expect(stderr).toBe("");
  expect(code).toBe(0);
  for (const destination of ["A", "B", "analytics"]) {
    expect(stdout).toMatch(new RegExp(`^${destination}\\s.*\\s(\\d[\\d,]*)\\s+\\1\\s+\\1\\s+OK$`, "m"));
  }
  expect(stdout).toContain("outage: destination B goes silent");
  expect(stdout).toMatch(/B: write failed/);
  expect(stdout).toMatch(/source: 20,000 entries, 20,000 acknowledged, 0 pending, 0 dead-lettered, 0 lost/);
  expect(stdout).toContain("routing-pipeline: OK");
}, 180_000);
