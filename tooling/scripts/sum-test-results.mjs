// Sums vitest's JSON reports (one per workspace package) into the closing line CI reads: "N passed, N failed".
// A package that has a test script but left no report (its vitest died before writing one) counts as a failure,
// and so does a test file that failed to load (it has no assertion results of its own).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

let passed = 0;
let failed = 0;
for (const group of ["packages", "examples", "tooling"]) {
  if (!existsSync(group)) continue;
  for (const name of readdirSync(group).sort()) {
    const manifest = join(group, name, "package.json");
    if (!existsSync(manifest) || !JSON.parse(readFileSync(manifest, "utf8")).scripts?.test) continue;
    const file = join(group, name, "test-results.json");
    if (!existsSync(file)) {
      failed += 1;
      console.log(
        `${group}/${name}: no test report (its test run died before writing one) — counted as 1 failure`,
      );
      continue;
    }
    const report = JSON.parse(readFileSync(file, "utf8"));
    const brokenFiles = (report.testResults ?? []).filter(
      (result) => result.status === "failed" && (result.assertionResults ?? []).length === 0,
    ).length;
    const packageFailed = (report.numFailedTests ?? 0) + brokenFiles;
    passed += report.numPassedTests ?? 0;
    failed += packageFailed;
    console.log(`${group}/${name}: ${report.numPassedTests ?? 0} passed, ${packageFailed} failed`);
  }
}
console.log(`${passed} passed, ${failed} failed`);
