// Sums vitest's JSON reports (one per workspace package and test lane) into the closing line CI reads:
// "N passed, N failed".
//
//   node tooling/scripts/sum-test-results.mjs                 # reads <package>/test-results.json
//   node tooling/scripts/sum-test-results.mjs node20 node24   # reads <package>/test-results.<lane>.json per lane
//   node tooling/scripts/sum-test-results.mjs node22:smoke    # only the packages of smoke-packages.json
//
// A package that has a test script but left no report in a lane (its vitest died before writing one) counts as
// a failure, and so does a test file that failed without a failed test (it did not load, or a hook threw).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const lanes = process.argv.slice(2);

function packagesWithTests() {
  const found = [];
  for (const group of ["packages", "examples", "tooling"]) {
    if (!existsSync(group)) continue;
    for (const name of readdirSync(group).sort()) {
      const manifest = join(group, name, "package.json");
      if (!existsSync(manifest) || !JSON.parse(readFileSync(manifest, "utf8")).scripts?.test) continue;
      found.push(join(group, name));
    }
  }
  return found;
}

const SMOKE = JSON.parse(readFileSync(new URL("./smoke-packages.json", import.meta.url), "utf8")).packages;

function sumLane(laneSpec) {
  const [lane, scope] = laneSpec?.split(":") ?? [];
  const reportName = lane ? `test-results.${lane}.json` : "test-results.json";
  const prefix = lane ? `[${lane}] ` : "";
  let passed = 0;
  let failed = 0;
  const expected =
    scope === "smoke" ? packagesWithTests().filter((d) => SMOKE.includes(d)) : packagesWithTests();
  for (const directory of expected) {
    const file = join(directory, reportName);
    if (!existsSync(file)) {
      failed += 1;
      const script = JSON.parse(readFileSync(join(directory, "package.json"), "utf8")).scripts.test;
      if (lane && !script.includes("TEST_RESULTS_FILE")) {
        console.log(
          `${prefix}${directory}: its test script must write --outputFile.json=\${TEST_RESULTS_FILE:-test-results.json}`,
        );
      }
      console.log(
        `${prefix}${directory}: no test report (its test run died before writing one) — counted as 1 failure`,
      );
      continue;
    }
    const report = JSON.parse(readFileSync(file, "utf8"));
    // A file that failed without a failed test of its own (it did not load, or a beforeAll/afterAll hook threw and
    // its tests were skipped) counts as one failure: numFailedTests alone would show such a file as green.
    const brokenFiles = (report.testResults ?? []).filter(
      (result) =>
        result.status === "failed" &&
        !(result.assertionResults ?? []).some((assertion) => assertion.status === "failed"),
    ).length;
    const packageFailed = (report.numFailedTests ?? 0) + brokenFiles;
    passed += report.numPassedTests ?? 0;
    failed += packageFailed;
    console.log(`${prefix}${directory}: ${report.numPassedTests ?? 0} passed, ${packageFailed} failed`);
  }
  if (lane) console.log(`[${lane}] total: ${passed} passed, ${failed} failed`);
  return { passed, failed };
}

let passed = 0;
let failed = 0;
for (const lane of lanes.length > 0 ? lanes : [undefined]) {
  const result = sumLane(lane);
  passed += result.passed;
  failed += result.failed;
}
console.log(`${passed} passed, ${failed} failed`);
