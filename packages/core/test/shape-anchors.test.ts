import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, "..");

/** Functions of the byte columns → frame path whose optimized code must survive a full collection. */
const HOT_PATH = [
  "appendBytes",
  "appendNull",
  "numberData",
  "readFloat",
  "bitmapOf",
  "startsInsideCharacter",
  // apache-arrow's IPC writer encodes messages with flatbuffers' Builder (one per message)
  "prep",
  "pad",
  "offset",
  "addOffset",
  "startObject",
  "endObject",
  "capacity",
  "slot",
  "writeInt16",
  "writeInt32",
  "writeInt64",
];

beforeAll(() => {
  if (!existsSync(join(packageDir, "dist", "internal.js")))
    throw new Error(
      "shape-anchors-child.mjs loads dist/: run `pnpm --filter @polars-redis/core build` first",
    );
});

describe("shape anchors (decision 0189)", () => {
  it("a full collection between two reads does not throw away the optimized code of the frame path", async () => {
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
    expect(after).toMatch(/--- done 602000/);
    const optimized = new Set(
      [...before!.matchAll(/completed compiling \S+ <JSFunction (\w+) /g)].map((match) => match[1]!),
    );
    // The child ran the path hot enough for V8 to optimize it: the check below is not vacuous.
    expect(HOT_PATH.filter((name) => optimized.has(name))).toEqual(
      expect.arrayContaining(["appendBytes", "readFloat", "prep", "pad", "startObject"]),
    );
    // Without the anchors, every map of a ByteColumn, Arrow Data or flatbuffers Builder dies in the collection
    // (none is alive), and V8 deoptimizes the code that checked for them: "reason: weak objects".
    const thrownAway = [...after!.matchAll(/<SharedFunctionInfo (\w+)>.*reason: weak objects/g)].map(
      (match) => match[1]!,
    );
    expect(thrownAway.filter((name) => HOT_PATH.includes(name) && optimized.has(name))).toEqual([]);
  }, 120_000);
});
