import { useRedisConnection } from "@polars-redis/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Command } from "../src/index.js";
import { connect } from "../src/index.js";
import { docExamples, runDocExample } from "./fixtures/doc-examples.js";

/** Runs every ```ts example of docs/reading.md against a server holding the data the examples expect. */
const examples = docExamples("reading.md");

const redis = useRedisConnection({ connect });
const savedUrl = process.env.REDIS_URL;

beforeAll(async () => {
  process.env.REDIS_URL = redis.server.url;
  const commands: Command[] = [];
  for (let i = 0; i < 40; i++) {
    commands.push([
      "HSET",
      `user:${i}`,
      "name",
      `user${i}`,
      "age",
      String(10 + i),
      "score",
      String(i * 1.5),
      "active",
      i % 2 ? "yes" : "no",
    ]);
  }
  commands.push(["EXPIRE", "user:3", "3600"]);
  for (let i = 0; i < 5; i++) commands.push(["SET", `counter:${i}`, String(i * 10)]);
  commands.push(["RPUSH", "queue:jobs", "a", "b", "c", "d", "e"]);
  commands.push(["ZADD", "leaderboard", "10", "ann", "30", "bob", "20", "cy"]);
  for (let i = 0; i < 6; i++) {
    commands.push([
      "XADD",
      `sensor:${i % 2}`,
      `${1700000000000 + i}-0`,
      "temp",
      String(20 + i),
      "room",
      i % 2 ? "hall" : "attic",
    ]);
  }
  commands.push(["HSET", "reading:1", "value", "1.5"], ["HSET", "reading:2", "value", "n/a"]);
  await redis.send(commands);
});
afterAll(() => {
  if (savedUrl === undefined) delete process.env.REDIS_URL;
  else process.env.REDIS_URL = savedUrl;
});

describe("docs/reading.md examples", () => {
  it("has examples to run", () => {
    expect(examples.length).toBeGreaterThanOrEqual(8);
  });

  examples.forEach((code, index) => {
    const title = code.split("\n").find((line) => /read|scan/.test(line) && !line.startsWith("import")) ?? "";
    it(`example ${index + 1}: ${title.trim().slice(0, 60)}`, async () => {
      const logged = (await runDocExample(code)).log;
      expect(logged.length).toBeGreaterThan(0);
      if (code.includes("top.columns"))
        expect(logged[0]![0]).toEqual(["_index", "_key", "_ttl", "name", "score"]);
      if (code.includes("coercedToNull")) {
        expect(logged).toContainEqual(["reading:2", "value", "n/a", "Float64"]);
        expect(logged).toContainEqual([{ value: 1 }]);
      }
      if (code.includes("queue:jobs")) expect(logged[0]![0]).toEqual([0, 1]);
    });
  });
});
