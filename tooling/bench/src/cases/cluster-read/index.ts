import { connectCluster } from "@polars-redis/cluster";
import { connect, type RedisConnection, readHashes } from "@polars-redis/core";
import { HASH_KEY_PATTERN, HASH_PROJECTION } from "../../data/hash-dataset.js";
import type { BenchCase, CaseGroup } from "../../registry/bench-case.js";
import { hashesReadGroup } from "../hashes-read/index.js";
import { HASH_SCHEMA } from "../hashes-read/library-schema.js";
import { CLUSTER_HASHES_DATASET, clusterSeeds } from "./cluster-dataset.js";

const everyKey = (size: number) => size;

/** The standalone server's ceiling and the hand-written loop, so the ratio columns mean what they mean elsewhere. */
const references = hashesReadGroup.cases.filter((benchCase) => benchCase.role !== undefined);

function onCluster(
  name: string,
  clusterOptions: { scanConcurrency?: number },
  read: (connection: RedisConnection) => Promise<number>,
): BenchCase {
  return {
    name,
    expectedRows: everyKey,
    async run() {
      const connection = await connectCluster(clusterSeeds(), clusterOptions);
      try {
        return { rows: await read(connection) };
      } finally {
        await connection.close();
      }
    },
  };
}

const readAll =
  (options: { parallel?: number; columns?: readonly string[] } = {}) =>
  async (connection: RedisConnection) =>
    (await readHashes(connection, { pattern: HASH_KEY_PATTERN, schema: HASH_SCHEMA, ...options })).height;

const scanOnly = async (connection: RedisConnection) => {
  let keys = 0;
  for await (const page of connection.scanKeys({ pattern: HASH_KEY_PATTERN, type: "hash", count: 1000 }))
    keys += page.length;
  return keys;
};

export const clusterReadGroup: CaseGroup = {
  name: "cluster-read",
  description: "Read N hashes of 10 fields from a 3-master cluster, next to one server holding the same data",
  dataset: CLUSTER_HASHES_DATASET,
  cases: [
    ...references,
    {
      name: "standalone: readHashes (defaults)",
      expectedRows: everyKey,
      async run({ server }) {
        const connection = await connect(server.url);
        try {
          return { rows: await readAll()(connection) };
        } finally {
          await connection.close();
        }
      },
    },
    onCluster("cluster: readHashes (defaults, 3 masters scanned at once)", {}, readAll()),
    onCluster("cluster: readHashes, masters scanned one at a time", { scanConcurrency: 1 }, readAll()),
    onCluster("cluster: readHashes parallel=4", {}, readAll({ parallel: 4 })),
    onCluster("cluster: readHashes, 3-field projection", {}, readAll({ columns: HASH_PROJECTION })),
    {
      name: "standalone: scanKeys only (SCAN TYPE hash)",
      expectedRows: everyKey,
      async run({ server }) {
        const connection = await connect(server.url);
        try {
          return { rows: await scanOnly(connection) };
        } finally {
          await connection.close();
        }
      },
    },
    onCluster("cluster: scanKeys only, masters one at a time", { scanConcurrency: 1 }, scanOnly),
    onCluster("cluster: scanKeys only, 3 masters at once", {}, scanOnly),
  ],
};
