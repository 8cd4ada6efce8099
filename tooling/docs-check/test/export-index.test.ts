import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script, run by node directly as well
import { documentedIndex, renderIndex, valueExports } from "../src/export-index.mjs";

describe("docs/architecture.md: where each public function lives", () => {
  it("lists every value export of every package, with the file that defines it", () => {
    expect(documentedIndex().block).toBe(renderIndex());
  });

  it("finds the defining file through re-exports, skipping types", () => {
    const core = resolve(import.meta.dirname, "../../../packages/core/src/index.ts");
    const exports: Map<string, string> = valueExports(core);
    expect(exports.get("connect")).toMatch(/core\/src\/connection\/connect\.ts$/);
    expect(exports.get("readHashes")).toMatch(/core\/src\/scan\/hashes\/scan-hashes\.ts$/);
    expect(exports.has("RedisConnection")).toBe(false);
    for (const file of exports.values()) expect(existsSync(file)).toBe(true);
  });
});
