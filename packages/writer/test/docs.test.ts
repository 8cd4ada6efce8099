import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { formatWithOptions } from "node:util";
import * as core from "@polars-redis/core";
import { useRedis } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as writer from "../src/index.js";

/**
 * Runs every ```ts example of the writer's docs against real servers (REDIS_URL, REDIS_URL_B) and checks each
 * `// → <output>` comment against the line the example printed at that point.
 */
const docsDirectory = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "docs");
const DOCS = ["writing.md", "retries-and-idempotency.md", "multi-cluster-writes.md"];
const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
  ...args: string[]
) => (...values: unknown[]) => Promise<void>;
const exported: Record<string, unknown> = { ...core, ...writer };

const servers = [useRedis(), useRedis()] as const;
const saved = { a: process.env.REDIS_URL, b: process.env.REDIS_URL_B };

beforeAll(() => {
  process.env.REDIS_URL = servers[0].url;
  process.env.REDIS_URL_B = servers[1].url;
});
afterAll(async () => {
  for (const [name, value] of [
    ["REDIS_URL", saved.a],
    ["REDIS_URL_B", saved.b],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

async function runExample(code: string): Promise<string[]> {
  const body = code.replace(/^import[\s\S]*?from "[^"]+";$/gm, "");
  const names = Object.keys(exported);
  const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
  try {
    await new AsyncFunction("pl", ...names, body)(pl, ...names.map((name) => exported[name]));
    return log.mock.calls.map((args) => formatWithOptions({ colors: false }, ...args));
  } finally {
    log.mockRestore();
  }
}

for (const doc of DOCS) {
  const text = readFileSync(join(docsDirectory, doc), "utf8");
  const examples = [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);

  describe(`docs/${doc}`, () => {
    it("has examples, each with its expected output", () => {
      expect(examples.length).toBeGreaterThanOrEqual(2);
      for (const example of examples) expect(example).toContain("// →");
    });

    examples.forEach((code, index) => {
      it(`example ${index + 1}`, async () => {
        for (const server of servers) {
          const connection = await core.connect(server.url);
          await connection.call("FLUSHALL");
          await connection.close();
        }
        const printed = await runExample(code);
        const expected = [...code.matchAll(/^\s*\/\/ → (.*)$/gm)].map((match) => match[1]!);
        expect(printed).toEqual(expected);
      });
    });
  });
}
