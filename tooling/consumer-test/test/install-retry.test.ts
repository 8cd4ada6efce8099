import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { install } from "../src/consumer-project.js";

// A stand-in for a package manager: hangs on its first run (as npm on Node.js 24 did in CI), installs on the next.
const FLAKY_INSTALLER = `
const { existsSync, mkdirSync, writeFileSync } = require("node:fs");
if (!existsSync("ran-once")) { writeFileSync("ran-once", ""); mkdirSync("node_modules/half", { recursive: true }); setInterval(() => {}, 1000); }
else { if (existsSync("node_modules/half")) process.exit(3); mkdirSync("node_modules/done", { recursive: true }); }
`;

function project(): string {
  const directory = mkdtempSync(join(tmpdir(), "install-retry-"));
  writeFileSync(join(directory, "installer.cjs"), FLAKY_INSTALLER);
  return directory;
}

describe("install", () => {
  it("kills an attempt that hangs and installs again from an empty node_modules", async () => {
    const directory = project();
    await install(process.execPath, ["installer.cjs"], directory, process.env, { attemptTimeoutMs: 1500 });
    expect(existsSync(join(directory, "node_modules", "done"))).toBe(true);
  });

  it("gives up after the last attempt, and a non-zero exit fails at once", async () => {
    const hanging = project();
    writeFileSync(join(hanging, "ran-once"), ""); // never mind the first run: make every run hang
    writeFileSync(join(hanging, "installer.cjs"), "setInterval(() => {}, 1000);");
    await expect(
      install(process.execPath, ["installer.cjs"], hanging, process.env, {
        attemptTimeoutMs: 500,
        attempts: 2,
      }),
    ).rejects.toThrow(/hung and was killed .*attempt 2 of 2/);

    const failing = project();
    mkdirSync(join(failing, "node_modules"));
    writeFileSync(join(failing, "installer.cjs"), "process.exit(7);");
    await expect(install(process.execPath, ["installer.cjs"], failing, process.env)).rejects.toThrow(
      /exited with 7 .*attempt 1 of 3/,
    );
  });
});
