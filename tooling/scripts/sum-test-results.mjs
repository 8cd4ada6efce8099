// Sums vitest's JSON reports (one per workspace package) into the closing line CI reads: "N passed, N failed".
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

let passed = 0;
let failed = 0;
const rows = [];
for (const group of ["packages", "examples", "tooling"]) {
  if (!existsSync(group)) continue;
  for (const name of readdirSync(group)) {
    const file = join(group, name, "test-results.json");
    if (!existsSync(file)) continue;
    const report = JSON.parse(readFileSync(file, "utf8"));
    // A file that failed to load counts as a failure even when it ran no test.
    const brokenSuites = (report.testResults ?? []).filter(
      (r) => r.status === "failed" && (r.assertionResults ?? []).length === 0,
    ).length;
    passed += report.numPassedTests ?? 0;
    failed += (report.numFailedTests ?? 0) + brokenSuites;
    rows.push(
      `${group}/${name}: ${report.numPassedTests} passed, ${report.numFailedTests + brokenSuites} failed`,
    );
  }
}
console.log(rows.join("\n"));
console.log(`${passed} passed, ${failed} failed`);
