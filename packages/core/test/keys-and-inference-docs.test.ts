import { InMemoryModules, type SeedTimeSeries } from "@polars-redis/testkit";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Command, connect } from "../src/index.js";
import { docExamples, runDocExample } from "./fixtures/doc-examples.js";

/**
 * Runs every ```ts example of docs/keys-and-inference.md. The RedisJSON and RedisTimeSeries examples get a
 * `connect` that returns a model of those modules (no server here has them); the others run against a real
 * redis-server holding the data they expect.
 */
const examples = docExamples("keys-and-inference.md");

const HOUR = 3_600_000;
const NEW_YEAR = Date.UTC(2024, 0, 1);
const DAY_MS = 24 * HOUR;

const ORDERS = new Map<string, unknown>([
  [
    "order:1",
    {
      id: 1,
      total: 29.5,
      placed: "2024-03-01T10:00:00Z",
      shipping: { address: { city: "Lisbon", zip: "1100-148" } },
      items: [
        { sku: "A-1", qty: 1, price: 9.5 },
        { sku: "B-2", qty: 2, price: 20 },
      ],
    },
  ],
  [
    "order:2",
    {
      id: 2,
      total: 4.25,
      placed: "2024-03-02T11:30:00+01:00",
      shipping: { address: { city: "Oslo" } },
      items: [{ sku: "C-3", qty: 1, price: 4.25 }],
    },
  ],
]);

/** Samples every 20 minutes: the kitchen for 3 hours from New Year, the attic for 2 (and one sample before). */
function samples(hours: number, base: number): Array<[number, number]> {
  return Array.from({ length: hours * 3 }, (_, index) => [NEW_YEAR + index * 20 * 60_000, base + index]);
}
const SERIES = new Map<string, SeedTimeSeries>([
  ["sensor:kitchen:temperature", { labels: { room: "kitchen", floor: "1" }, samples: samples(3, 20) }],
  [
    "sensor:attic:temperature",
    { labels: { room: "attic" }, samples: [[NEW_YEAR - HOUR, -5], ...samples(2, 10)] },
  ],
]);

const redis = useRedisConnection({ connect });
const savedUrl = process.env.REDIS_URL;

beforeAll(async () => {
  process.env.REDIS_URL = redis.server.url;
  const commands: Command[] = [];
  for (let i = 1; i <= 6; i++) {
    const seen =
      i <= 3 ? "2023-01-01T00:00:00" : new Date(Date.now() - i * DAY_MS).toISOString().slice(0, 19);
    commands.push(["HSET", `session:${i}`, "user", `u${i}`, "seen", seen]);
  }
  for (let i = 1; i <= 40; i++) {
    commands.push([
      "HSET",
      `user:${i}`,
      "name",
      `user ${i}`,
      "age",
      String(20 + i),
      "zip",
      `0${2100 + i}`,
      "score",
      i % 10 === 0 ? "n/a" : String(i * 1.5),
    ]);
  }
  commands.push(["SET", "cart:1", "x"], ["SET", "cart:2", "x"], ["SET", "cart:3", "x"]);
  for (const reply of await redis.conn.batch(commands)) if (reply instanceof Error) throw reply;
});
afterAll(async () => {
  if (savedUrl === undefined) delete process.env.REDIS_URL;
  else process.env.REDIS_URL = savedUrl;
});

/** Module examples connect to the model; the others to the real server. */
function run(code: string) {
  const needsModules = /readJson|readTimeseries|inferJsonSchema/.test(code);
  return runDocExample(
    code,
    needsModules ? { connect: async () => new InMemoryModules({ documents: ORDERS, series: SERIES }) } : {},
  );
}

function exampleUsing(name: string): string {
  const found = examples.find((code) => code.includes(name));
  if (found === undefined) throw new Error(`no example in the doc calls ${name}`);
  return found;
}

describe("docs/keys-and-inference.md examples", () => {
  it("has five examples, each self-contained (it imports and connects what it uses)", () => {
    expect(examples).toHaveLength(5);
    for (const code of examples) {
      expect(code).toMatch(/await connect\(/);
      expect(code).toMatch(/await conn\.close\(\)/);
      if (/\bpl\./.test(code)) expect(code).toMatch(/^import pl from "nodejs-polars";$/m);
    }
  });

  it("readJson: nested paths, wildcard matches and a List(Struct) column", async () => {
    const { log } = await run(exampleUsing("readJson("));
    expect(log).toEqual([
      [
        [
          { id: 1, city: "Lisbon", prices: [9.5, 20] },
          { id: 2, city: "Oslo", prices: [4.25] },
        ],
      ],
    ]);
  });

  it("readTimeseries: hourly averages with label columns", async () => {
    const { log } = await run(exampleUsing("readTimeseries("));
    expect(log[0]).toEqual([["_key", "_ts", "value", "room", "floor"]]);
    // Kitchen: 3 hours, attic: 2 (its sample before `start` is left out).
    expect(log[1]).toEqual([5]);
  });

  it("deleteKeys: the stale sessions of a filtered frame", async () => {
    const { log } = await run(exampleUsing("deleteKeys("));
    expect(log).toEqual([[3, 0, []]]);
    expect(await redis.conn.call("EXISTS", "session:1", "session:2", "session:3")).toBe(0);
    expect(await redis.conn.call("EXISTS", "session:4", "session:5", "session:6")).toBe(3);
  });

  it("setTtl: one TTL, one per key, a column in ms, and NX", async () => {
    const { log } = await run(exampleUsing("setTtl("));
    const ttls = new Map(
      (log[0]![0] as { key: string; ttl: number }[]).map(({ key, ttl }) => [key, ttl] as const),
    );
    // The frame's ms TTLs replaced the earlier ones; NX left cart:1 alone and gave cart:3 its first TTL.
    expect(ttls.get("cart:1")).toBeGreaterThanOrEqual(88);
    expect(ttls.get("cart:1")).toBeLessThanOrEqual(90);
    expect(ttls.get("cart:2")).toBeGreaterThanOrEqual(28);
    expect(ttls.get("cart:2")).toBeLessThanOrEqual(30);
    expect(ttls.get("cart:3")).toBeGreaterThanOrEqual(598);
    expect(ttls.get("cart:3")).toBeLessThanOrEqual(600);
  });

  it("inferHashSchema: warns about the dirty field, and its schema reads every hash", async () => {
    const { log, warn } = await run(exampleUsing("inferHashSchema("));
    expect(warn.map((args) => args[0])).toContain("score"); // 36 numbers and 4 "n/a"
    expect(log).toEqual([[40, ["age", "name", "score", "zip"]]]);
  });
});
