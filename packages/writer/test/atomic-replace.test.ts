import { connect, type RedisConnection } from "@polars-redis/core";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeHashes, writeSets } from "../src/index.js";
import { HASH_TRANSPORTS, viaTransport } from "./fixtures/transports.js";

const redis = useRedisConnection({ connect });
let reader: RedisConnection;

beforeAll(async () => {
  reader = await connect(redis.server.url);
});
afterAll(async () => {
  await reader?.close();
});

const FIELDS = 12;

/** Generation g of 200 hashes: even generations have fields f0..f11, odd ones g0..g5, every value "g". */
function generation(g: number): pl.DataFrame {
  const names = Array.from(
    { length: g % 2 === 0 ? FIELDS : FIELDS / 2 },
    (_, i) => `${g % 2 === 0 ? "f" : "g"}${i}`,
  );
  const columns: Record<string, string[]> = { _key: Array.from({ length: 200 }, (_, i) => `atomic:${i}`) };
  for (const name of names) columns[name] = new Array(200).fill(String(g));
  return pl.DataFrame(columns);
}

/** True when a hash is exactly one whole generation: one field set, one value everywhere. */
function isWhole(flat: string[]): boolean {
  const fields = flat.filter((_, i) => i % 2 === 0);
  const values = new Set(flat.filter((_, i) => i % 2 === 1));
  if (values.size !== 1) return false;
  const even = Number([...values][0]) % 2 === 0;
  const expected = Array.from({ length: even ? FIELDS : FIELDS / 2 }, (_, i) => `${even ? "f" : "g"}${i}`);
  return fields.length === expected.length && expected.every((name) => fields.includes(name));
}

describe("replace is atomic per key", () => {
  it.each(HASH_TRANSPORTS)(
    "a reader hammering HGETALL never sees a half-replaced hash (%s)",
    async (transport) => {
      const target = viaTransport(redis.conn, transport);
      // Every key exists from here on, so an empty or mixed read is a torn replace.
      await writeHashes(target, generation(0));
      let done = false;
      let reads = 0;
      const torn: string[][] = [];
      const hammer = (async () => {
        while (!done) {
          const replies = await reader.batch(
            Array.from({ length: 50 }, (_, i) => ["HGETALL", `atomic:${(reads + i) % 200}`] as const),
          );
          for (const reply of replies) {
            reads++;
            if (!isWhole(reply as string[])) torn.push(reply as string[]);
          }
        }
      })();
      // Keep writing until the reader has overlapped with many replacements (polled, not timed).
      let rounds = 1;
      while (rounds < 20 || reads < 5000) {
        const result = await writeHashes(target, generation(rounds), { batchSize: 50 });
        expect(result.written).toBe(200);
        rounds++;
        if (rounds > 2000) break;
      }
      done = true;
      await hammer;
      expect(reads).toBeGreaterThanOrEqual(5000);
      expect(torn).toEqual([]);
    },
  );

  it("a reader never sees a large set half-published (staged, then renamed)", async () => {
    const sizes = [20_000, 25_000];
    const members = (g: number) => Array.from({ length: sizes[g % 2]! }, (_, i) => `g${g % 2}:${i}`);
    let done = false;
    const seen = new Set<number>();
    const hammer = (async () => {
      while (!done) seen.add((await reader.call("SCARD", "atomic:set")) as number);
    })();
    for (let g = 0; g < 6 || seen.size < 2; g++) {
      const frame = pl.DataFrame({ member: members(g) }).withColumns(pl.lit("atomic:set").alias("_key"));
      expect((await writeSets(redis.conn, frame)).written).toBe(1);
      if (g > 200) break;
    }
    done = true;
    await hammer;
    seen.delete(0);
    expect([...seen].every((size) => sizes.includes(size))).toBe(true);
  });
});
