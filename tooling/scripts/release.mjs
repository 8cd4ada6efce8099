// `pnpm release`: builds the packages and publishes the versions changesets prepared (changeset publish).
// `pnpm release --dry-run`: publishes nothing and changes nothing here. In a temporary copy of the workspace
// it runs `changeset version` (the versions and changelogs the pending changesets would produce), then
// `pnpm pack`s every publishable package there and prints what would be uploaded: name, old → new version,
// bump, tarball size and file count, internal dependency ranges, engines, and the changelog entry.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "../..");
const dryRun = process.argv.includes("--dry-run");
const keep = process.argv.includes("--keep");

function run(command, args, cwd, options = {}) {
  const result = spawnSync(command, args, {
    cwd,
    stdio: options.capture ? "pipe" : "inherit",
    encoding: "utf8",
  });
  if (result.status !== 0) {
    if (options.capture) process.stderr.write(`${result.stdout ?? ""}${result.stderr ?? ""}`);
    throw new Error(`${command} ${args.join(" ")} (in ${cwd}) exited with ${result.status}`);
  }
  return result.stdout ?? "";
}

function publishable(base) {
  const directory = join(base, "packages");
  return readdirSync(directory)
    .sort()
    .map((name) => join(directory, name))
    .filter((dir) => existsSync(join(dir, "package.json")))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) }))
    .filter(({ manifest }) => manifest.private !== true);
}

// Build first, in both modes: what is packed is what turbo built from the sources here.
run("pnpm", ["exec", "turbo", "run", "build", "--filter=./packages/*"], root);

if (!dryRun) {
  run("pnpm", ["exec", "changeset", "publish"], root);
  process.exit(0);
}

const copy = mkdtempSync(join(tmpdir(), "polars-redis-release-"));
try {
  // The workspace without node_modules, .git and caches.
  execFileSync(
    "bash",
    [
      "-c",
      `tar --exclude=node_modules --exclude=.git --exclude=.turbo --exclude='*.tgz' -C "${root}" -cf - . | tar -xf - -C "${copy}"`,
    ],
    { stdio: "inherit" },
  );
  // Its own node_modules, from the local pnpm store (pnpm pack resolves workspace: ranges through them).
  run("pnpm", ["install", "--frozen-lockfile", "--offline", "--ignore-scripts"], copy, { capture: true });
  const before = new Map(publishable(copy).map(({ manifest }) => [manifest.name, manifest.version]));
  const pending = readdirSync(join(copy, ".changeset")).filter(
    (file) => file.endsWith(".md") && file !== "README.md",
  );
  console.log(
    `\nrelease --dry-run: ${pending.length} pending changesets; running changeset version in ${copy}\n`,
  );
  run("pnpm", ["exec", "changeset", "version"], copy, { capture: true });

  const packDir = join(copy, ".packed");
  const rows = [];
  for (const { dir, manifest } of publishable(copy)) {
    run("pnpm", ["pack", "--pack-destination", packDir], dir, { capture: true });
    const tarball = join(
      packDir,
      `${manifest.name.replace(/^@/, "").replace("/", "-")}-${manifest.version}.tgz`,
    );
    const files = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).split("\n").filter(Boolean);
    const packed = JSON.parse(
      execFileSync("tar", ["-xOzf", tarball, "package/package.json"], { encoding: "utf8" }),
    );
    const internal = Object.entries({ ...packed.dependencies, ...packed.peerDependencies })
      .filter(([name]) => name.startsWith("@polars-redis/"))
      .map(([name, range]) => `${name}@${range}`);
    const changelog = existsSync(join(dir, "CHANGELOG.md"))
      ? readFileSync(join(dir, "CHANGELOG.md"), "utf8")
      : "";
    const entry = changelog.split(/\n(?=## )/)[1] ?? "";
    rows.push({
      name: manifest.name,
      from: before.get(manifest.name),
      to: manifest.version,
      size: statSync(tarball).size,
      files: files.length,
      internal,
      engines: packed.engines?.node ?? "(none)",
      entry: entry.trim(),
    });
  }

  console.log("would publish (npm dist-tag latest, access public):\n");
  for (const row of rows) {
    const bump = row.from === row.to ? "unchanged, skipped by changeset publish" : `${row.from} → ${row.to}`;
    console.log(`  ${row.name}@${row.to}  (${bump})`);
    console.log(
      `    tarball ${(row.size / 1024).toFixed(0)} KiB, ${row.files} files; engines node ${row.engines}`,
    );
    if (row.internal.length > 0) console.log(`    depends on ${row.internal.join(", ")}`);
    // "Updated dependencies" repeats once per changeset of a dependency: show it once.
    const lines = row.entry
      .split("\n")
      .filter((line, index, all) => line !== all[index - 1] || line.trim() === "");
    const ownChanges = lines.some((line) => /^- (?!Updated dependencies)/.test(line));
    if (row.from !== row.to && !ownChanges) {
      console.log(
        "    ! no changeset of its own: this release would say only that dependencies were updated",
      );
    }
    for (const line of lines.slice(0, 12)) console.log(`    | ${line}`);
    if (lines.length > 12) console.log(`    | ... (${lines.length - 12} more lines in CHANGELOG.md)`);
    console.log("");
  }
  console.log("nothing was published; this checkout is unchanged.");
  if (keep) console.log(`the versioned copy is kept in ${copy}`);
} finally {
  if (!keep) rmSync(copy, { recursive: true, force: true });
}
