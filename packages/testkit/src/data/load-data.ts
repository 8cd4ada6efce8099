import type { ChainableCommander, Cluster, Redis } from "ioredis";
import { keySlot } from "../server/key-slot.js";
import type { GeneratedChangeEvents } from "./generate-change-events.js";
import type { GeneratedLists, GeneratedSets, GeneratedSortedSets } from "./generate-collections.js";
import type { GeneratedHashes } from "./generate-hashes.js";
import type { GeneratedJsonDocuments } from "./generate-json-documents.js";
import type { GeneratedTimeSeries } from "./generate-time-series.js";

/** An ioredis client: a single server or a Cluster. */
export type LoadTarget = Redis | Cluster;

export interface LoadOptions {
  /** Keys per pipeline [1000]. */
  batchSize?: number | undefined;
}

/**
 * Writes every generated hash (DEL then HSET, so reruns leave exactly the generated fields) in pipelines.
 * Resolves with the number of keys written.
 */
export function loadHashes(
  client: LoadTarget,
  data: GeneratedHashes,
  options?: LoadOptions,
): Promise<number> {
  return pipelined(client, data.keys, options, (pipeline, key, index) => {
    pipeline.del(key).hset(key, ...data.fieldsOf(index));
  });
}

/**
 * Writes every document with `JSON.SET key $ <json>` (RedisJSON / Redis Stack), or with a plain `SET` of the
 * JSON text when `command: "SET"` (servers without the JSON module).
 */
export function loadJsonDocuments(
  client: LoadTarget,
  data: GeneratedJsonDocuments,
  { command = "JSON.SET", ...options }: LoadOptions & { command?: "JSON.SET" | "SET" | undefined } = {},
): Promise<number> {
  return pipelined(client, data.keys, options, (pipeline, key, index) => {
    const json = JSON.stringify(data.documents[index]);
    if (command === "SET") pipeline.del(key).set(key, json);
    else pipeline.del(key).call("JSON.SET", key, "$", json);
  });
}

export function loadSets(client: LoadTarget, data: GeneratedSets, options?: LoadOptions): Promise<number> {
  return pipelined(client, data.keys, options, (pipeline, key, index) => {
    pipeline.del(key);
    const members = data.members[index]!;
    if (members.length > 0) pipeline.sadd(key, ...members);
  });
}

export function loadLists(client: LoadTarget, data: GeneratedLists, options?: LoadOptions): Promise<number> {
  return pipelined(client, data.keys, options, (pipeline, key, index) => {
    pipeline.del(key);
    const items = data.items[index]!;
    if (items.length > 0) pipeline.rpush(key, ...items);
  });
}

export function loadSortedSets(
  client: LoadTarget,
  data: GeneratedSortedSets,
  options?: LoadOptions,
): Promise<number> {
  return pipelined(client, data.keys, options, (pipeline, key, index) => {
    pipeline.del(key);
    const entries = data.entries[index]!;
    if (entries.length > 0) pipeline.zadd(key, ...entries.flatMap(({ member, score }) => [score, member]));
  });
}

/**
 * Appends the events to one stream with their explicit entry ids (XADD key <ts>-<seq> ...), after deleting it.
 * Resolves with the number of entries written.
 */
export async function loadChangeEvents(
  client: LoadTarget,
  stream: string,
  data: GeneratedChangeEvents,
  { batchSize = 1000 }: LoadOptions = {},
): Promise<number> {
  checkBatchSize(batchSize);
  await client.del(stream);
  for (let start = 0; start < data.count; start += batchSize) {
    const pipeline = client.pipeline();
    const end = Math.min(data.count, start + batchSize);
    for (let index = start; index < end; index++)
      pipeline.xadd(stream, data.entryIds[index]!, ...data.fieldsOf(index));
    await execOrThrow(pipeline, () => stream);
  }
  return data.count;
}

/**
 * Creates each series (TS.CREATE with its labels, DUPLICATE_POLICY LAST) and adds its points with TS.MADD, for
 * RedisTimeSeries / Redis Stack. Resolves with the number of points written.
 */
export async function loadTimeSeries(
  client: LoadTarget,
  data: GeneratedTimeSeries,
  { batchSize = 1000 }: LoadOptions = {},
): Promise<number> {
  checkBatchSize(batchSize);
  await pipelined(client, data.keys, { batchSize }, (pipeline, key, index) => {
    const labels = Object.entries(data.labels[index]!).flat();
    pipeline.del(key).call("TS.CREATE", key, "DUPLICATE_POLICY", "LAST", "LABELS", ...labels);
  });
  const points = data.timestamps.length;
  const perCall = Math.max(1, Math.floor(batchSize));
  await pipelined(client, data.keys, { batchSize: 1 }, (pipeline, key, index) => {
    const values = data.values[index]!;
    for (let start = 0; start < points; start += perCall) {
      const args: string[] = [];
      for (let point = start; point < Math.min(points, start + perCall); point++) {
        args.push(key, String(data.timestamps[point]), String(values[point]));
      }
      pipeline.call("TS.MADD", ...args);
    }
  });
  return points * data.keys.length;
}

/**
 * Runs `add` for every key in pipelines of `batchSize` keys. On a Cluster the keys are grouped by the node
 * that serves their slot first (ioredis refuses a pipeline that spans nodes).
 */
async function pipelined(
  client: LoadTarget,
  keys: readonly string[],
  { batchSize = 1000 }: LoadOptions = {},
  add: (pipeline: ChainableCommander, key: string, index: number) => void,
): Promise<number> {
  checkBatchSize(batchSize);
  for (const group of await groupByNode(client, keys)) {
    for (let start = 0; start < group.length; start += batchSize) {
      const chunk = group.slice(start, start + batchSize);
      const pipeline = client.pipeline();
      const keyOfCommand: string[] = [];
      for (const index of chunk) {
        const before = pipeline.length;
        add(pipeline, keys[index]!, index);
        for (let command = before; command < pipeline.length; command++) keyOfCommand.push(keys[index]!);
      }
      await execOrThrow(pipeline, (command) => keyOfCommand[command] ?? "?");
    }
  }
  return keys.length;
}

async function groupByNode(client: LoadTarget, keys: readonly string[]): Promise<number[][]> {
  const all = keys.map((_, index) => index);
  if (!client.isCluster) return [all];
  const cluster = client as Cluster;
  if (cluster.status !== "ready")
    await new Promise<void>((resolve) => cluster.once("ready", () => resolve()));
  const groups = new Map<string, number[]>();
  for (const index of all) {
    const node = cluster.slots[keySlot(keys[index]!)]?.[0] ?? "unknown";
    let group = groups.get(node);
    if (!group) {
      group = [];
      groups.set(node, group);
    }
    group.push(index);
  }
  return [...groups.values()];
}

async function execOrThrow(pipeline: ChainableCommander, keyOf: (command: number) => string): Promise<void> {
  const results = (await pipeline.exec()) ?? [];
  for (const [command, [error]] of results.entries()) {
    if (error) throw new Error(`loading "${keyOf(command)}" failed: ${error.message}`, { cause: error });
  }
}

function checkBatchSize(batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be an integer >= 1, got ${batchSize}`);
  }
}
