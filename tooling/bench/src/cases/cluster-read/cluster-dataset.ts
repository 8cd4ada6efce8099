import { connect as connectSocket, type Socket } from "node:net";
import { connectCluster, keySlot } from "@polars-redis/cluster";
import { type RedisCluster, startCluster } from "@polars-redis/testkit";
import { HASH_FIELD_NAMES, hashFieldValues, hashKey } from "../../data/hash-dataset.js";
import { loadHashes } from "../../data/load-hashes.js";
import type { BenchDataset } from "../../registry/bench-case.js";

/** Where the worker processes find the cluster the runner started (they inherit the runner's environment). */
export const CLUSTER_SEEDS_VARIABLE = "BENCH_CLUSTER_SEEDS";

const COMMANDS_PER_WRITE = 5_000;

let running: Promise<RedisCluster> | undefined;

/** The runner's 3-master cluster (no replicas: replication would share the 2 cores), started on first use. */
function benchCluster(): Promise<RedisCluster> {
  running ??= startCluster({ masters: 3, replicasPerMaster: 0 });
  return running;
}

/** Seeds of the running benchmark cluster, inside a case's worker process. */
export function clusterSeeds(): Array<{ host: string; port: number }> {
  const seeds = process.env[CLUSTER_SEEDS_VARIABLE];
  if (seeds === undefined)
    throw new Error(`${CLUSTER_SEEDS_VARIABLE} is not set: the cluster data set was not loaded`);
  return JSON.parse(seeds) as Array<{ host: string; port: number }>;
}

/**
 * The hashes-read data set (same keys, same values) on the runner's standalone server and on a 3-master
 * cluster, so cluster and standalone rows read identical data.
 */
export const CLUSTER_HASHES_DATASET: BenchDataset = {
  id: "hashes-10-fields+cluster",
  async load(server, size) {
    const cluster = await benchCluster();
    process.env[CLUSTER_SEEDS_VARIABLE] = JSON.stringify(cluster.seeds);
    await loadHashes(server, size);
    await loadHashesOnCluster(cluster, size);
  },
};

/** Empties the cluster, then writes each hash straight to the master of its slot as pipelined RESP. */
async function loadHashesOnCluster(cluster: RedisCluster, count: number): Promise<void> {
  const connection = await connectCluster(cluster.seeds);
  try {
    await connection.call("FLUSHALL");
    const masters = connection.masters();
    const ownerOfSlot = new Int8Array(16_384);
    masters.forEach((master, index) => {
      for (const [start, end] of master.slotRanges) ownerOfSlot.fill(index, start, end + 1);
    });
    const indexesByMaster: number[][] = masters.map(() => []);
    for (let index = 0; index < count; index++)
      indexesByMaster[ownerOfSlot[keySlot(hashKey(index))]!]!.push(index);
    await Promise.all(masters.map((master, i) => writeHashes(master, indexesByMaster[i]!)));
    const stored = Number(await connection.call("DBSIZE"));
    if (stored !== count) throw new Error(`the cluster holds ${stored} keys after loading ${count}`);
  } finally {
    await connection.close();
  }
}

async function writeHashes(
  target: { host: string; port: number },
  indexes: readonly number[],
): Promise<void> {
  const socket = await openSocket(target);
  try {
    const replies = countReplyLines(socket);
    for (let start = 0; start < indexes.length; start += COMMANDS_PER_WRITE) {
      const chunk = indexes.slice(start, start + COMMANDS_PER_WRITE);
      if (!socket.write(encodeHsets(chunk))) await new Promise((resolve) => socket.once("drain", resolve));
    }
    await replies.until(indexes.length);
  } finally {
    socket.destroy();
  }
}

function encodeHsets(indexes: readonly number[]): Buffer {
  const parts: string[] = [];
  const argumentCount = 2 + HASH_FIELD_NAMES.length * 2;
  for (const index of indexes) {
    parts.push(`*${argumentCount}\r\n$4\r\nHSET\r\n`, bulk(hashKey(index)));
    for (const argument of hashFieldValues(index)) parts.push(bulk(argument));
  }
  return Buffer.from(parts.join(""), "utf8");
}

function bulk(text: string): string {
  return `$${Buffer.byteLength(text, "utf8")}\r\n${text}\r\n`;
}

function openSocket(target: { host: string; port: number }): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connectSocket(target.port, target.host, () => {
      socket.off("error", reject);
      resolve(socket);
    });
    socket.once("error", reject);
  });
}

/** HSET answers one integer line per command: count lines, fail on an error line. */
function countReplyLines(socket: Socket) {
  let lines = 0;
  let failure: Error | undefined;
  let atLineStart = true;
  let waiter: { target: number; resolve: () => void; reject: (error: Error) => void } | undefined;
  const settle = () => {
    if (waiter === undefined) return;
    if (failure) waiter.reject(failure);
    else if (lines >= waiter.target) waiter.resolve();
  };
  socket.on("data", (chunk: Buffer) => {
    for (let i = 0; i < chunk.length; i++) {
      if (atLineStart && chunk[i] === 0x2d)
        failure ??= new Error(`HSET failed: ${chunk.toString("utf8", i, i + 80)}`);
      atLineStart = chunk[i] === 0x0a;
      if (atLineStart) lines++;
    }
    settle();
  });
  socket.on("error", (error) => {
    failure ??= error;
    settle();
  });
  return {
    until(target: number): Promise<void> {
      return new Promise((resolve, reject) => {
        waiter = { target, resolve, reject };
        settle();
      });
    },
  };
}
