// Builds docs/decisions/README.md's table from the records themselves (title from the first heading, status
// from the "- Status:" line), so a record written in parallel by anyone is listed. `--write` rewrites the
// table, `--check` (the test) fails when it is stale.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const dir = resolve(dirname(fileURLToPath(import.meta.url)), "../../../docs/decisions");
const INDEX = join(dir, "README.md");
const START = "<!-- decision-index:start -->";
const END = "<!-- decision-index:end -->";

export function decisionRecords() {
  return readdirSync(dir)
    .filter((name) => /^\d{4}-.*\.md$/.test(name))
    .sort()
    .map((name) => {
      const text = readFileSync(join(dir, name), "utf8");
      const title = /^#\s+(.+)$/m.exec(text)?.[1]?.trim();
      const status = /^-\s*Status:\s*(.+)$/im.exec(text)?.[1]?.trim();
      if (!title || !status)
        throw new Error(`docs/decisions/${name} needs a "# title" and a "- Status: ..." line`);
      return { name, title, status };
    });
}

export function renderDecisionIndex() {
  const rows = decisionRecords().map(({ name, title, status }) => `| [${title}](${name}) | ${status} |`);
  return [START, "| record | status |", "| --- | --- |", ...rows, END].join("\n");
}

export function documentedDecisionIndex() {
  const doc = readFileSync(INDEX, "utf8");
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start < 0 || end < 0) throw new Error(`${INDEX} lacks the ${START} … ${END} block`);
  return { doc, block: doc.slice(start, end + END.length) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { doc, block } = documentedDecisionIndex();
  const fresh = renderDecisionIndex();
  if (process.argv.includes("--write")) {
    writeFileSync(INDEX, doc.replace(block, fresh));
    console.log("docs/decisions/README.md: index rewritten");
  } else if (block !== fresh) {
    console.error(
      "docs/decisions/README.md is stale; run node tooling/docs-check/src/decision-index.mjs --write",
    );
    process.exitCode = 1;
  }
}
