import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { formatWithOptions } from "node:util";
import * as core from "@polars-redis/core";
import { connect } from "@polars-redis/core";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import * as arrow from "apache-arrow";
import pl from "nodejs-polars";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as cache from "../src/index.js";

/**
 * Runs every ```ts example of docs/caching.md against a real server (REDIS_URL) and checks each `// → <output>`
 * comment against the line the example printed at that point.
 */
const docsDirectory = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "docs");
const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
  ...args: string[]
) => (...values: unknown[]) => Promise<void>;
const exported: Record<string, unknown> = { ...arrow, ...core, ...cache };

const redis = useRedisConnection({ connect });
const saved = process.env.REDIS_URL;
beforeAll(() => {
  process.env.REDIS_URL = redis.server.url;
});
afterAll(() => {
  if (saved === undefined) delete process.env.REDIS_URL;
  else process.env.REDIS_URL = saved;
});

async function runExample(code: string): Promise<string[]> {
  const body = code.replace(/^import[\s\S]*?from "[^"]+";$/gm, "");
  const names = Object.keys(exported).filter((name) => /^[A-Za-z_$][\w$]*$/.test(name) && name !== "default");
  const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
  try {
    await new AsyncFunction("pl", ...names, body)(pl, ...names.map((name) => exported[name]));
    return log.mock.calls.map((args) => formatWithOptions({ colors: false }, ...args));
  } finally {
    log.mockRestore();
  }
}

const text = readFileSync(join(docsDirectory, "caching.md"), "utf8");
const examples = [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);

describe("docs/caching.md", () => {
  it("has examples, each with its expected output", () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
    for (const example of examples) expect(example).toContain("// →");
  });

  examples.forEach((code, index) => {
    it(`example ${index + 1}`, async () => {
      await redis.conn.call("FLUSHALL");
      const printed = await runExample(code);
      const expected = [...code.matchAll(/^\s*\/\/ → (.*)$/gm)].map((match) => match[1]!);
      expect(printed).toEqual(expected);
    });
  });
});
