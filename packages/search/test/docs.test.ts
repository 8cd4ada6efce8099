import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as core from "@polars-redis/core";
import { connect } from "@polars-redis/core";
import { requireModules, useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as search from "../src/index.js";
import { hsets } from "./fixtures/hsets.js";

/** Runs every ```ts example of docs/search.md, in order, against a RediSearch server holding the products. */
const docsDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "docs");
const examples = [...readFileSync(join(docsDir, "search.md"), "utf8").matchAll(/```ts\n([\s\S]*?)```/g)].map(
  (match) => match[1]!,
);

const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
  ...args: string[]
) => (...values: unknown[]) => Promise<void>;

/** Runs one example as an async function body, its imports replaced by pl, core and search; returns its logs. */
async function run(code: string): Promise<unknown[][]> {
  const body = code.replace(/^import [\s\S]*?from "[^"]+";$/gm, "");
  const bindings: Record<string, unknown> = { pl, ...core, ...search };
  const names = Object.keys(bindings);
  const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
  try {
    await new AsyncFunction(...names, body)(...names.map((name) => bindings[name]));
    return log.mock.calls;
  } finally {
    log.mockRestore();
  }
}

const CATEGORIES = ["tools", "garden", "kitchen", "toys"];
const COLOURS = ["red", "blue", "green"];

describe.runIf(requireModules("search"))("docs/search.md examples", () => {
  const redis = useRedisConnection({ connect, modules: ["search"] });
  const savedUrl = process.env.REDIS_URL;

  beforeAll(async () => {
    process.env.REDIS_URL = redis.server.url;
    const products = Array.from({ length: 200 }, (_, i) => ({
      name: `Product ${i}`,
      category: CATEGORIES[i % CATEGORIES.length],
      price: ((i * 37) % 100) + 0.5,
      stock: i % 5,
      colour: COLOURS[i % COLOURS.length],
      description: i % 3 === 0 ? "forged steel with a wooden handle" : "light plastic body",
    }));
    await redis.send(hsets("product:", products));
  });
  afterAll(() => {
    if (savedUrl === undefined) delete process.env.REDIS_URL;
    else process.env.REDIS_URL = savedUrl;
  });

  it("has examples to run", () => {
    expect(examples.length).toBeGreaterThanOrEqual(6);
  });

  // The examples build on each other (the first creates the index), so they run in order in one test each.
  examples.forEach((code, index) => {
    const title =
      code.split("\n").find((line) => line.startsWith("const ") && !line.includes("connect(")) ?? "";
    it(`example ${index + 1}: ${title.trim().slice(0, 60)}`, async () => {
      const logged = await run(code);
      expect(logged.length).toBeGreaterThan(0);
      if (code.includes("cheapTools")) {
        expect(logged[0]).toEqual([["_key", "name", "category", "price", "stock"], 5]);
      }
      if (code.includes("rebuildIndex")) {
        expect(logged[0]).toEqual([["name:text", "price:numeric", "stock:numeric"]]);
        expect(logged[1]).toEqual(["created"]);
        expect(logged[2]).toEqual([["price"], true]);
        expect(logged[3]).toEqual([
          { previous: "catalog__1", current: "catalog__2", droppedPrevious: true },
          200,
        ]);
      }
      if (code.includes("explainQuery")) expect(String(logged[2]![0])).toMatch(/INTERSECT/);
      if (code.includes("countSearch")) {
        expect(logged[0]).toEqual([67]);
        expect(logged[1]).toEqual([67, ["_key", "name", "_score"]]);
      }
      if (code.includes("byCategory"))
        expect(logged[0]![0]).toMatchObject({ category: "garden", products: 40 });
      if (code.includes("explainScan")) {
        expect(String(logged[0]![0])).toContain(
          [
            "strategy: hybrid (index products)",
            "FT.SEARCH query: @price:[-inf ($p0] @category:{$p1}",
            "  pushed:   @price:[-inf (30]",
            '  pushed:   @category:{"tools"}',
            '  residual: @colour:{"red"}  (field "colour" is not in index products)',
          ].join("\n"),
        );
        expect(logged[1]![0]).toBe("hybrid");
        expect(logged[1]![1]).toBeGreaterThan(0);
      }
    });
  });
});
