import { connect, readHashes } from "@polars-redis/core";
import { col, createIndex, field, searchHashes, smartRead, waitForIndex } from "@polars-redis/search";
import { Redis } from "ioredis";
import pl from "nodejs-polars";
import {
  HASH_FIELD_NAMES,
  HASH_KEY_PATTERN,
  HASH_KEY_PREFIX,
  hashFieldValues,
} from "../../data/hash-dataset.js";
import { loadHashes } from "../../data/load-hashes.js";
import type { BenchCase, BenchDataset, CaseGroup } from "../../registry/bench-case.js";
import { castLikeTheLibrary } from "../hashes-read/handwritten-loop.js";
import { HASH_SCHEMA } from "../hashes-read/library-schema.js";

/**
 * A 1%-selective query over the benchmark hashes: city Paris (1 of 26 cities) and age 18..35 (18 of 72 ages)
 * selects about 0.96% of the documents. Every case returns the same rows, all 10 fields typed.
 */
const CITY = "Paris";
const AGE_MIN = 18;
const AGE_MAX = 35;
export const INDEX = "bench-hashes";
/**
 * Documents per FT.SEARCH page of the hand-written loop: a page size a user picks (RediSearch's default is 10).
 * The library cases use their defaults (1000 documents per cursor read).
 */
const PAGE = 1000;

export const BUILDER_QUERY = col("city").eq(CITY).and(col("age").between(AGE_MIN, AGE_MAX));
const POLARS_FILTER = pl
  .col("city")
  .eq(pl.lit(CITY))
  .and(pl.col("age").gtEq(AGE_MIN))
  .and(pl.col("age").ltEq(AGE_MAX));

const expectedCounts = new Map<number, number>();

/** How many of hashes 0..size-1 match, from the data set's own generator. */
function matchingRows(size: number): number {
  let count = expectedCounts.get(size);
  if (count === undefined) {
    count = 0;
    for (let index = 0; index < size; index++) {
      const values = hashFieldValues(index);
      const age = Number(values[7]);
      if (values[5] === CITY && age >= AGE_MIN && age <= AGE_MAX) count++;
    }
    expectedCounts.set(size, count);
  }
  return count;
}

/** The hashes plus a RediSearch index on city (TAG) and age (NUMERIC), fully indexed before any case runs. */
export const SEARCH_DATASET: BenchDataset = {
  id: "hashes-10-fields+search-index",
  async load(server, size) {
    await loadHashes(server, size);
    const conn = await connect(server.url);
    try {
      await createIndex(conn, {
        name: INDEX,
        prefixes: [HASH_KEY_PREFIX],
        fields: [field.tag("city", { caseSensitive: true }), field.numeric("age"), field.numeric("score")],
      });
      await waitForIndex(conn, INDEX, { timeoutMs: 30 * 60_000, intervalMs: 500 });
    } finally {
      await conn.close();
    }
  },
};

/**
 * What a user writes without the library: FT.SEARCH through ioredis page by page (PARAMS, DIALECT 2), one row
 * object per document, `pl.readRecords`, then the same casts the other hand-written loops apply.
 */
export async function searchByHand(host: string, port: number): Promise<pl.DataFrame> {
  const redis = new Redis({ host, port, lazyConnect: true });
  await redis.connect();
  try {
    const records: Record<string, string>[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const reply = (await redis.call(
        "FT.SEARCH",
        INDEX,
        "@city:{$city} @age:[$lo $hi]",
        "LIMIT",
        offset,
        PAGE,
        "PARAMS",
        6,
        "city",
        CITY,
        "lo",
        AGE_MIN,
        "hi",
        AGE_MAX,
        // Without it RediSearch's 500 ms default (ON_TIMEOUT RETURN) silently cuts results short under load.
        "TIMEOUT",
        0,
        "DIALECT",
        2,
      )) as unknown[];
      const total = Number(reply[0]);
      for (let i = 1; i < reply.length; i += 2) {
        const record: Record<string, string> = { _key: String(reply[i]) };
        const fields = reply[i + 1] as string[];
        for (let f = 0; f + 1 < fields.length; f += 2) record[fields[f]!] = fields[f + 1]!;
        records.push(record);
      }
      if (offset + PAGE >= total) break;
    }
    return castLikeTheLibrary(pl.readRecords(records));
  } finally {
    redis.disconnect();
  }
}

function withConnection(name: string, body: (url: string) => Promise<pl.DataFrame>): BenchCase {
  return {
    name,
    expectedRows: matchingRows,
    async run({ server }) {
      const frame = await body(server.url);
      if (frame.columns.length < HASH_FIELD_NAMES.length)
        throw new Error(`${name}: columns ${frame.columns}`);
      return { rows: frame.height };
    },
  };
}

export const searchGroup: CaseGroup = {
  name: "search",
  description: "A 1%-selective query (city = Paris, age 18..35) over N hashes of 10 fields, all fields typed",
  dataset: SEARCH_DATASET,
  modules: ["search"],
  cases: [
    {
      name: "hand-written loop: ioredis FT.SEARCH + row objects + readRecords",
      role: "baseline",
      expectedRows: matchingRows,
      async run({ server }) {
        return { rows: (await searchByHand(server.host, server.port)).height };
      },
    },
    withConnection("readHashes + Polars filter (SCAN every hash)", async (url) => {
      const conn = await connect(url);
      try {
        return await readHashes(conn, {
          pattern: HASH_KEY_PATTERN,
          schema: HASH_SCHEMA,
          filter: POLARS_FILTER,
        });
      } finally {
        await conn.close();
      }
    }),
    withConnection("searchHashes (builder query, schema)", async (url) => {
      const conn = await connect(url);
      try {
        return await searchHashes(conn, {
          index: INDEX,
          query: BUILDER_QUERY,
          schema: HASH_SCHEMA,
        });
      } finally {
        await conn.close();
      }
    }),
    withConnection("smartRead (finds the index, pushes both predicates)", async (url) => {
      const conn = await connect(url);
      try {
        return await smartRead(conn, {
          pattern: HASH_KEY_PATTERN,
          filter: BUILDER_QUERY,
          schema: HASH_SCHEMA,
        });
      } finally {
        await conn.close();
      }
    }),
  ],
};
