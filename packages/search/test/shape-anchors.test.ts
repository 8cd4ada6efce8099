import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, "..");

/** The raw search path's per-row code, whose optimized form must survive a full collection between searches. */
const HOT_PATH = [
  // SearchReplyDecoder and its cursor (search)
  ...["decode", "replyEnd", "readPairsRow", "columnOf", "arrayOrNil", "bulk", "valueInto", "line"],
  // ByteColumn and byteColumnToArrow (core, shared with readHashes)
  ...["appendBytes", "appendNull", "numberData", "readFloat", "bitmapOf", "startsInsideCharacter"],
  // flatbuffers' Builder, one per message in apache-arrow's IPC writer (core's arrowColumnsToFrame)
  ...["prep", "pad", "offset", "addOffset", "startObject", "endObject", "capacity", "slot"],
  ...["writeInt16", "writeInt32", "writeInt64"],
];

beforeAll(() => {
  if (!existsSync(join(packageDir, "dist", "internal", "search-reply-decoder.js")))
    throw new Error(
      "shape-anchors-child.mjs loads dist/: run `pnpm --filter @polars-redis/search build` first",
    );
});

describe("shape anchors (decision 0189)", () => {
  it("a full collection between two searches does not throw away the optimized code of the raw path", async () => {
    // Synchronous compilation: the code is optimized when the trace says so, however busy the machine.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        "--expose-gc",
        "--trace-opt",
        "--trace-deopt",
        "--no-concurrent-recompilation",
        join(here, "fixtures", "shape-anchors-child.mjs"),
      ],
      { cwd: packageDir, maxBuffer: 64 << 20 },
    );
    const [before, after] = stdout.split("--- full collection");
    expect(after).toMatch(/--- done 302000/);
    const optimized = new Set(
      [...before!.matchAll(/completed compiling \S+ <JSFunction (\w+) /g)].map((match) => match[1]!),
    );
    expect(HOT_PATH.filter((name) => optimized.has(name))).toEqual(
      expect.arrayContaining([
        "readPairsRow",
        "valueInto",
        "appendBytes",
        "readFloat",
        "prep",
        "startObject",
      ]),
    );
    // Without the anchors (core's anchorShape: one live decoder, byte column, Arrow column per dtype, flatbuffers
    // Builder), their maps die in the collection and V8 deoptimizes this code: "reason: weak objects".
    const thrownAway = [...after!.matchAll(/<SharedFunctionInfo (\w+)>.*reason: weak objects/g)].map(
      (match) => match[1]!,
    );
    expect(thrownAway.filter((name) => HOT_PATH.includes(name) && optimized.has(name))).toEqual([]);
  }, 120_000);
});
