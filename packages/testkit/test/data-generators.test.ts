import pl from "nodejs-polars";
import { describe, expect, it } from "vitest";
import {
  generateChangeEvents,
  generateHashes,
  generateJsonDocuments,
  generateLists,
  generateSets,
  generateSortedSets,
  generateTimeSeries,
  SeededRandom,
  uniqueKeyPrefix,
  uniqueStreamName,
} from "../src/index.js";

describe("SeededRandom", () => {
  it("gives the same sequence for the same seed and another one for another seed", () => {
    const draw = (seed: number | string) => {
      const random = new SeededRandom(seed);
      return Array.from({ length: 20 }, () => random.next());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw("42")).toEqual(draw(42));
    expect(draw(43)).not.toEqual(draw(42));
    for (const value of draw(7)) expect(value >= 0 && value < 1).toBe(true);
  });

  it("draws integers within inclusive bounds, covering both ends", () => {
    const random = new SeededRandom(1);
    const seen = new Set<number>();
    for (let draw = 0; draw < 1_000; draw++) seen.add(random.int(-2, 2));
    expect([...seen].sort()).toEqual([-1, -2, 0, 1, 2]);
  });
});

describe("generateHashes", () => {
  const data = generateHashes({ count: 2_000, seed: 9, keyPrefix: "h:" });

  it("is deterministic per seed", () => {
    expect(generateHashes({ count: 50, seed: 9, keyPrefix: "h:" }).columns).toEqual(
      generateHashes({ count: 50, seed: 9, keyPrefix: "h:" }).columns,
    );
    expect(generateHashes({ count: 50, seed: 10 }).columns.score).not.toEqual(
      generateHashes({ count: 50, seed: 9 }).columns.score,
    );
  });

  it("covers every dtype, with values that stress readers", () => {
    const { columns } = data;
    expect(data.keys[0]).toBe("h:0");
    expect(columns.id.some((id) => Math.abs(id) > 2 ** 31)).toBe(true);
    expect(columns.id.some((id) => id < 0)).toBe(true);
    expect(columns.score.some((score) => score !== null && !Number.isInteger(score))).toBe(true);
    expect(new Set(columns.active)).toEqual(new Set([true, false, null]));
    expect(columns.birthday.every((day) => day === null || /^\d{4}-\d{2}-\d{2}$/.test(day))).toBe(true);
    expect(columns.name.some((name) => name !== null && /[^ -~]/.test(name))).toBe(true);
    expect(columns.name.some((name) => name?.includes("🙂"))).toBe(true);
    const nulls = columns.city.filter((city) => city === null).length;
    expect(nulls).toBeGreaterThan(0);
    expect(nulls).toBeLessThan(2_000 * 0.2);
  });

  it("encodes fields for HSET and leaves absent fields out", () => {
    const index = data.columns.city.indexOf(null);
    const fields = data.fieldsOf(index);
    expect(fields.filter((_, position) => position % 2 === 0)).not.toContain("city");
    const first = data.fieldsOf(0);
    const asObject = Object.fromEntries(
      first.flatMap((_, i) => (i % 2 === 0 ? [[first[i], first[i + 1]]] : [])),
    );
    expect(asObject.id).toBe(String(data.columns.id[0]));
    if (data.columns.updatedAt[0] !== null) {
      expect(asObject.updatedAt).toBe(new Date(data.columns.updatedAt[0]!).toISOString());
    }
  });

  it("builds the frame a reader should produce, with the right dtypes", () => {
    const frame = generateHashes({ count: 30, seed: 9 }).toFrame();
    expect(frame.height).toBe(30);
    expect(frame.columns).toEqual(["_key", "id", "score", "active", "birthday", "updatedAt", "name", "city"]);
    const dtypes = frame.dtypes.map(String);
    expect(dtypes).toEqual([
      String(pl.String),
      String(pl.Int64),
      String(pl.Float64),
      String(pl.Bool),
      String(pl.Date),
      String(pl.Datetime("us", "UTC")),
      String(pl.String),
      String(pl.String),
    ]);
  });

  it("rejects a bad count before generating anything", () => {
    expect(() => generateHashes({ count: -1 })).toThrow(RangeError);
    expect(() => generateHashes({ count: 1.5 })).toThrow(RangeError);
    expect(() => generateHashes({ count: 1, nullRate: 2 })).toThrow(RangeError);
  });
});

describe("generateJsonDocuments", () => {
  it("nests objects and arrays, with JSON nulls and empty arrays", () => {
    const { keys, documents } = generateJsonDocuments({ count: 200, seed: 3 });
    expect(keys[5]).toBe("doc:5");
    expect(documents.some((document) => document.nickname === null)).toBe(true);
    expect(documents.some((document) => document.orders.length === 0)).toBe(true);
    expect(documents.some((document) => document.orders.length > 1)).toBe(true);
    expect(typeof documents[0]!.address.geo.lat).toBe("number");
    expect(JSON.parse(JSON.stringify(documents))).toEqual(documents);
    expect(generateJsonDocuments({ count: 20, seed: 3 }).documents).toEqual(documents.slice(0, 20));
  });
});

describe("collections", () => {
  it("sets have distinct members, lists may repeat, zsets are in ZRANGE order", () => {
    const sets = generateSets({ count: 50, seed: 1, membersPerKey: [5, 30] });
    for (const members of sets.members) expect(new Set(members).size).toBe(members.length);
    const lists = generateLists({ count: 50, seed: 1, membersPerKey: 40 });
    expect(lists.items.every((items) => items.length === 40)).toBe(true);
    expect(lists.items.some((items) => new Set(items).size < items.length)).toBe(true);
    const zsets = generateSortedSets({ count: 50, seed: 1 });
    for (const entries of zsets.entries) {
      for (let i = 1; i < entries.length; i++)
        expect(entries[i]!.score).toBeGreaterThanOrEqual(entries[i - 1]!.score);
    }
    expect(generateSets({ count: 50, seed: 1, membersPerKey: [5, 30] })).toEqual(sets);
    expect(() => generateSets({ count: 1, membersPerKey: [3, 1] })).toThrow(RangeError);
  });
});

describe("generateChangeEvents", () => {
  const events = generateChangeEvents({ count: 5_000, seed: 11 });

  it("has strictly increasing entry ids and a non-decreasing clock", () => {
    const parse = (id: string) => id.split("-").map(Number) as [number, number];
    for (let index = 1; index < events.count; index++) {
      const [ms, seq] = parse(events.entryIds[index]!);
      const [previousMs, previousSeq] = parse(events.entryIds[index - 1]!);
      expect(ms > previousMs || (ms === previousMs && seq > previousSeq)).toBe(true);
      expect(events.columns.ts[index]).toBe(ms);
    }
  });

  it("follows each row's life: insert first, never touched after its delete, amount null only on delete", () => {
    const state = new Map<string, "live" | "deleted">();
    const { op, table, id, amount } = events.columns;
    for (let index = 0; index < events.count; index++) {
      const row = `${table[index]}:${id[index]}`;
      if (op[index] === "insert") {
        expect(state.has(row)).toBe(false);
        state.set(row, "live");
      } else {
        expect(state.get(row)).toBe("live");
        if (op[index] === "delete") state.set(row, "deleted");
      }
      expect(amount[index] === null).toBe(op[index] === "delete");
    }
    expect(new Set(op)).toEqual(new Set(["insert", "update", "delete"]));
  });

  it("encodes an XADD entry per event", () => {
    const deleteIndex = events.columns.op.indexOf("delete");
    expect(events.fieldsOf(deleteIndex)).not.toContain("amount");
    expect(events.fieldsOf(0).slice(0, 2)).toEqual(["op", "insert"]);
    expect(generateChangeEvents({ count: 100, seed: 11 }).entryIds).toEqual(events.entryIds.slice(0, 100));
  });
});

describe("generateTimeSeries", () => {
  it("shares increasing timestamps and walks each series", () => {
    const series = generateTimeSeries({ series: 4, pointsPerSeries: 100, seed: 2, intervalMs: 250 });
    expect(series.keys).toEqual(["ts:0", "ts:1", "ts:2", "ts:3"]);
    expect(series.timestamps[1]! - series.timestamps[0]!).toBe(250);
    expect(series.values).toHaveLength(4);
    for (const values of series.values) {
      for (let i = 1; i < values.length; i++)
        expect(Math.abs(values[i]! - values[i - 1]!)).toBeLessThanOrEqual(1.001);
    }
    expect(series.labels[0]).toMatchObject({ sensor: "temperature", device: "device-0" });
  });
});

describe("uniqueKeyPrefix", () => {
  it("never repeats and keeps the label", () => {
    const prefixes = Array.from({ length: 1_000 }, () => uniqueKeyPrefix("orders"));
    expect(new Set(prefixes).size).toBe(1_000);
    expect(prefixes[0]).toMatch(/^orders:[0-9a-z]+-[0-9a-z]+:$/);
    expect(uniqueStreamName("events")).toMatch(/^events:[0-9a-z]+-[0-9a-z]+$/);
  });
});
