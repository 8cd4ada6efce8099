import { connect } from "@polars-redis/core";
import { createFaultProxy, type FaultProxy, type RedisServer, startRedis } from "@polars-redis/testkit";
import pl from "nodejs-polars";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TABLE } from "./table.js";
import { failureOf, isTyped, type WalkContext } from "./walk.js";

/** Every package whose exports the walk covers, loaded at run time so a new export shows up by itself. */
const PACKAGES = [
  "@polars-redis/core",
  "@polars-redis/core/internal",
  "@polars-redis/cluster",
  "@polars-redis/writer",
  "@polars-redis/streams",
  "@polars-redis/cache",
  "@polars-redis/search",
  "@polars-redis/cli",
] as const;

async function exportedFunctions(specifier: string): Promise<Map<string, unknown>> {
  const module = (await import(specifier)) as Record<string, unknown>;
  const found = new Map<string, unknown>();
  for (const [name, value] of Object.entries(module)) {
    if (typeof value === "function" || (name === "COMPRESSIONS" && specifier.endsWith("cache")))
      found.set(name, value);
  }
  return found;
}

let server: RedisServer;
let proxy: FaultProxy;
let context: WalkContext;

beforeAll(async () => {
  server = await startRedis();
  proxy = await createFaultProxy({ target: server.url });
  const conn = await connect(proxy.url);
  const closed = await connect(proxy.url);
  await closed.close();
  context = {
    conn,
    closed,
    frame: pl.DataFrame({ _key: ["walk:1", "walk:2"], name: ["Ada", "Bob"], age: [36, 45] }),
    url: proxy.url,
    proxy,
  };
});

afterAll(async () => {
  await context?.conn.close();
  await proxy?.close();
  await server?.stop();
});

describe("every exported function has a row", () => {
  for (const specifier of PACKAGES) {
    it(specifier, async () => {
      const exported = await exportedFunctions(specifier);
      const rows = TABLE[specifier] ?? {};
      const missing = [...exported.keys()].filter((name) => rows[name] === undefined);
      const stale = Object.keys(rows).filter((name) => !exported.has(name));
      expect(
        missing,
        `exports of ${specifier} without a row in tooling/api-walk/test/table.ts (add wrong calls, or an exemption with its reason)`,
      ).toEqual([]);
      expect(stale, `rows of ${specifier} for names it no longer exports`).toEqual([]);
    });
  }
});

describe("wrong calls fail with a typed error and send nothing", () => {
  for (const specifier of PACKAGES) {
    const rows = TABLE[specifier] ?? {};
    for (const [name, row] of Object.entries(rows)) {
      if ("exempt" in row) continue;
      it(`${specifier} ${name}`, async () => {
        const problems: string[] = [];
        for (const wrong of row.wrong(context)) {
          const code = wrong.code ?? "INVALID_ARGUMENT";
          const before = proxy.stats();
          const { error, problem } = await failureOf(wrong.call);
          const after = proxy.stats();
          const sent = after.bytesToServer - before.bytesToServer;
          const opened = after.totalConnections - before.totalConnections;
          if (problem !== undefined) problems.push(`${wrong.label}: ${problem}`);
          else if (!isTyped(error, code)) {
            const shown = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
            problems.push(`${wrong.label}: expected code ${code}, got ${shown.slice(0, 300)}`);
          }
          if (sent !== 0 || opened !== 0) {
            problems.push(`${wrong.label}: sent ${sent} bytes on ${opened} new connections before failing`);
          }
        }
        expect(problems.join("\n"), `${name}: wrong calls that did not fail cleanly`).toBe("");
      });
    }
  }
});
