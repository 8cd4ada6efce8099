// The packages as a user gets them: packed like `pnpm publish` would, installed from the tarballs with npm and
// with pnpm into fresh projects outside the workspace, on the Node.js running this test (.ci/run runs the suite
// once per Node.js line, so this covers 20 and 24), then a user's script writes, reads, consumes a stream and
// starts its own redis-server with testkit.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConsumerProject, createConsumerProject, type PackageManager } from "../src/consumer-project.js";
import { type PackedPackage, packPackages, WORKSPACE_ROOT } from "../src/pack-packages.js";
import { runChecked, runCommand } from "../src/run-command.js";

const EXERCISED = [
  "@polars-redis/cluster",
  "@polars-redis/core",
  "@polars-redis/streams",
  "@polars-redis/testkit",
  "@polars-redis/writer",
];

let packDirectory: string;
let packed: PackedPackage[] = [];
const projects: ConsumerProject[] = [];

beforeAll(async () => {
  packDirectory = mkdtempSync(join(tmpdir(), "polars-redis-packed-"));
  packed = await packPackages(packDirectory);
});

afterAll(() => {
  if (packDirectory) rmSync(packDirectory, { recursive: true, force: true });
  for (const project of projects) rmSync(project.directory, { recursive: true, force: true });
});

function tarballEntries(tarball: string): string[] {
  return execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).split("\n").filter(Boolean);
}

function tarballManifest(tarball: string): Record<string, unknown> {
  return JSON.parse(execFileSync("tar", ["-xOzf", tarball, "package/package.json"], { encoding: "utf8" }));
}

describe("the packed tarballs", () => {
  it("include every package a user script needs", () => {
    expect(packed.map((pkg) => pkg.name)).toEqual(expect.arrayContaining(EXERCISED));
  });

  it("each carry dist, README.md, LICENSE and complete metadata, with no workspace: ranges left", () => {
    for (const pkg of packed) {
      const entries = tarballEntries(pkg.tarball);
      expect(entries, pkg.name).toEqual(
        expect.arrayContaining(["package/package.json", "package/README.md", "package/LICENSE"]),
      );
      expect(
        entries.some((entry) => entry === "package/dist/index.js"),
        `${pkg.name} dist/index.js`,
      ).toBe(true);
      expect(
        entries.some((entry) => entry.startsWith("package/test/")),
        `${pkg.name} ships tests`,
      ).toBe(false);
      const manifest = tarballManifest(pkg.tarball);
      for (const field of ["description", "license", "repository", "keywords", "engines", "files"]) {
        expect(manifest[field], `${pkg.name} package.json ${field}`).toBeTruthy();
      }
      expect(manifest.sideEffects, `${pkg.name} sideEffects`).toBeDefined();
      expect(JSON.stringify(manifest), pkg.name).not.toContain("workspace:");
    }
  });
});

describe.each<PackageManager>(["npm", "pnpm"])("installed with %s", (manager) => {
  let project: ConsumerProject;

  beforeAll(async () => {
    project = await createConsumerProject(manager, packed);
    projects.push(project);
  });

  it(`runs the user's script on Node.js ${process.versions.node}: writes, reads, consumes a stream`, async () => {
    const others = packed.map((pkg) => pkg.name).filter((name) => !EXERCISED.includes(name));
    const result = await runChecked("node", ["app.mjs"], {
      cwd: project.directory,
      env: { ...project.env, CONSUMER_OTHER_PACKAGES: JSON.stringify(others) },
      timeoutMs: 180_000,
    });
    const report = JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "{}");
    expect(report).toMatchObject({
      node: process.version,
      written: 2_000,
      writeFailed: 0,
      read: 2_000,
      sameIds: true,
      sameNames: true,
      streamWritten: 1,
      consumed: 1_500,
      sum: String((1_499 * 1_500) / 2),
      pending: 0,
      clusterExport: "function",
    });
    for (const name of others) expect(report.loaded[name], `${name} exports`).toBeGreaterThan(0);
  });

  it("type-checks a TypeScript user's file against the shipped .d.ts files", async () => {
    const tsc = join(WORKSPACE_ROOT, "node_modules", ".bin", "tsc");
    const result = await runCommand(tsc, ["-p", "tsconfig.json"], {
      cwd: project.directory,
      env: project.env,
    });
    expect(result.stdout + result.stderr).toBe("");
    expect(result.code).toBe(0);
  });
});

describe("when nodejs-polars' native binding is missing", () => {
  it("importing @polars-redis/core fails with the install fix, not only 'Cannot find module'", async () => {
    const project = projects.find((candidate) => candidate.manager === "npm");
    if (!project) throw new Error("the npm project was not installed");
    const binding = `nodejs-polars-${process.platform}-${process.arch}-gnu`;
    const installed = join(project.directory, "node_modules", binding);
    expect(existsSync(installed), `${binding} is installed (on Node ${process.versions.node})`).toBe(true);
    rmSync(installed, { recursive: true, force: true });
    const result = await runCommand(
      "node",
      ["--input-type=module", "-e", 'await import("@polars-redis/core")'],
      {
        cwd: project.directory,
        env: project.env,
      },
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`npm install ${binding}@${readPolarsVersion(project.directory)}`);
    expect(result.stderr).toContain(".pnpmfile.cjs");
  });
});

function readPolarsVersion(directory: string): string {
  const manifest = join(directory, "node_modules", "nodejs-polars", "package.json");
  return JSON.parse(readFileSync(manifest, "utf8")).version;
}
