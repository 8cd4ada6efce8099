// Builds the "Where each public function lives" index of docs/architecture.md from each package's
// src/index.ts: every value export (function, class, constant) with the file that defines it. Types are left
// out (an editor finds them from the value that uses them). `--write` rewrites the block, `--check` (the test)
// fails when the document is stale, so a new export cannot go unlisted.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const PACKAGES = ["core", "cluster", "writer", "streams", "cache", "search", "testkit", "cli"];
const DOC = join(root, "docs/architecture.md");
const START = "<!-- export-index:start -->";
const END = "<!-- export-index:end -->";

function sourceOf(fromFile, specifier) {
  const workspace = /^@polars-redis\/([\w-]+)(\/internal)?$/.exec(specifier);
  if (workspace)
    return join(root, "packages", workspace[1], "src", workspace[2] ? "internal.ts" : "index.ts");
  const base = resolve(dirname(fromFile), specifier.replace(/\.js$/, ""));
  for (const candidate of [`${base}.ts`, join(base, "index.ts")]) if (existsSync(candidate)) return candidate;
  throw new Error(`${relative(root, fromFile)}: cannot resolve ${specifier}`);
}

/** Value exports of a module: name → file that declares it. */
export function valueExports(file, seen = new Set()) {
  const found = new Map();
  if (seen.has(file)) return found;
  seen.add(file);
  const text = readFileSync(file, "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/^\s*\/\/.*$/gm, "");
  for (const m of text.matchAll(/export\s+(type\s+)?\{([^}]*)\}\s*from\s*["']([^"']+)["']/g)) {
    if (m[1]) continue;
    const target = sourceOf(file, m[3]);
    const inner = valueExports(target, new Set(seen));
    for (const raw of m[2].split(",")) {
      const item = raw.trim();
      if (!item || item.startsWith("type ")) continue;
      const [orig, alias] = item.split(/\s+as\s+/).map((s) => s.trim());
      found.set(alias ?? orig, inner.get(orig) ?? target);
    }
  }
  for (const m of text.matchAll(/export\s+\*\s+from\s*["']([^"']+)["']/g)) {
    for (const [name, where] of valueExports(sourceOf(file, m[1]), new Set(seen))) found.set(name, where);
  }
  for (const m of text.matchAll(
    /export\s+(?:declare\s+)?(?:default\s+)?(?:async\s+)?(?:function\*?|class|const|let|abstract\s+class|enum)\s+([A-Za-z_$][\w$]*)/g,
  )) {
    found.set(m[1], file);
  }
  for (const m of text.matchAll(/export\s+\{([^}]*)\}\s*;/g)) {
    for (const raw of m[1].split(",")) {
      const item = raw.trim();
      if (!item || item.startsWith("type ")) continue;
      const [orig, alias] = item.split(/\s+as\s+/).map((s) => s.trim());
      found.set(alias ?? orig, file);
    }
  }
  return found;
}

export function renderIndex() {
  const lines = [START];
  for (const pkg of PACKAGES) {
    const index = join(root, "packages", pkg, "src/index.ts");
    if (!existsSync(index)) continue;
    const exports = [...valueExports(index)].sort(([a], [b]) => a.localeCompare(b));
    lines.push("", `### @polars-redis/${pkg}`, "", "| export | defined in |", "| --- | --- |");
    for (const [name, file] of exports) {
      const path = relative(root, file);
      lines.push(`| \`${name}\` | [\`${path.replace(/^packages\//, "")}\`](../${path}) |`);
    }
  }
  lines.push("", END);
  return lines.join("\n");
}

export function documentedIndex() {
  const doc = readFileSync(DOC, "utf8");
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start < 0 || end < 0) throw new Error(`${DOC} lacks the ${START} … ${END} block`);
  return { doc, block: doc.slice(start, end + END.length) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { doc, block } = documentedIndex();
  const fresh = renderIndex();
  if (process.argv.includes("--write")) {
    writeFileSync(DOC, doc.replace(block, fresh));
    console.log("docs/architecture.md: export index rewritten");
  } else if (block !== fresh) {
    console.error(
      "docs/architecture.md: the export index is stale; run node tooling/docs-check/src/export-index.mjs --write",
    );
    process.exitCode = 1;
  }
}
