import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, "..");

/** SearchReplyDecoder's per-row code, whose optimized form must survive a full collection between searches. */
const HOT_PATH = [
  "decode",
  "replyEnd",
  "readPairsRow",
  "columnOf",
  "arrayOrNil",
  "bulk",
  "valueInto",
  "line",
];

beforeAll(() => {
  if (!existsSync(join(packageDir, "dist", "internal", "search-reply-decoder.js")))
    throw new Error(
      "decoder-anchor-child.mjs loads dist/: run `pnpm --filter @polars-redis/search build` first",
    );
});

describe("SearchReplyDecoder's shape anchor (decision 0189)", () => {
  it("a full collection between two searches does not throw away the decoder's optimized code", async () => {
    // Synchronous compilation: the code is optimized when the trace says so, however busy the machine.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        "--expose-gc",
        "--trace-opt",
        "--trace-deopt",
        "--no-concurrent-recompilation",
        join(here, "fixtures", "decoder-anchor-child.mjs"),
      ],
      { cwd: packageDir, maxBuffer: 64 << 20 },
    );
    const [before, after] = stdout.split("--- full collection");
    expect(after).toMatch(/--- done 505000/);
    const optimized = new Set(
      [...before!.matchAll(/completed compiling \S+ <JSFunction (\w+) /g)].map((match) => match[1]!),
    );
    expect(HOT_PATH.filter((name) => optimized.has(name))).toEqual(
      expect.arrayContaining(["readPairsRow", "valueInto", "bulk"]),
    );
    // Without the anchor (one live decoder, and one cursor per decoder rather than per reply), the decoder's and
    // cursor's maps die in the collection and V8 deoptimizes this code: "reason: weak objects".
    const thrownAway = [...after!.matchAll(/<SharedFunctionInfo (\w+)>.*reason: weak objects/g)].map(
      (match) => match[1]!,
    );
    expect(thrownAway.filter((name) => HOT_PATH.includes(name) && optimized.has(name))).toEqual([]);
  }, 120_000);
});
