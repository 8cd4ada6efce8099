import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { install } from "../src/consumer-project.js";

/** A stand-in package manager: a script run by Node.js in a fresh folder. */
function installer(script: string): string {
  const directory = mkdtempSync(join(tmpdir(), "install-limit-"));
  writeFileSync(join(directory, "installer.cjs"), script);
  return directory;
}

describe("install", () => {
  it("kills an install that outlives its limit and shows what it printed last", async () => {
    const cwd = installer(
      `console.error("http fetch GET https://registry.example attempt 1 failed"); setInterval(() => {}, 1000);`,
    );
    await expect(
      install(process.execPath, ["installer.cjs"], cwd, process.env, { timeoutMs: 1000 }),
    ).rejects.toThrow(/did not finish and was killed after \d+ ms[\s\S]*attempt 1 failed/);
  });

  it("reports a failed install with its exit code and output", async () => {
    const cwd = installer(`console.error("npm error code E404"); process.exit(7);`);
    await expect(install(process.execPath, ["installer.cjs"], cwd, process.env)).rejects.toThrow(
      /exited with 7 after \d+ ms[\s\S]*E404/,
    );
  });
});
