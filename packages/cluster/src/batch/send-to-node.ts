import {
  AbortedError,
  type BatchOptions,
  type BatchReply,
  type Command,
  type RedisConnection,
  RedisConnectionError,
} from "@polars-redis/core";
import type { NodeAddress } from "../topology/node-address.js";
import type { NodePool } from "../topology/node-pool.js";
import type { BatchItem } from "./plan-batch.js";
import type { RedirectPolicy } from "./redirect-policy.js";

const ASKING: Command = ["ASKING"];

/** Where a node's answers go: the caller's reply array for plain commands, the units for the rest. */
export interface ItemTarget {
  readonly commands: readonly Command[];
  readonly replies: BatchReply[];
}

/**
 * Sends items to one node in pipelines of about `chunkSize` commands, a few pipelines in flight. A unit is
 * never cut across pipelines: ASKING must directly precede its command and a MULTI ... EXEC group must
 * arrive in one piece, and another batch sharing this node's connection could otherwise slip in between.
 * Plain commands get their reply in `target.replies`, units in `unit.replies`. When the node cannot be
 * reached at all, every command gets a "rejected" RedisConnectionError (it was never sent).
 */
export async function sendToNode(
  pool: NodePool,
  address: NodeAddress,
  items: readonly BatchItem[],
  target: ItemTarget,
  policy: RedirectPolicy,
  options: BatchOptions,
): Promise<void> {
  const chunks = cutIntoChunks(items, Math.max(1, options.chunkSize ?? policy.defaultChunkSize));
  try {
    await pool.use(address, async (connection) => {
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < chunks.length) await sendChunk(connection, chunks[next++]!, target, options);
      };
      await Promise.all(Array.from({ length: Math.min(policy.pipelinesPerNode, chunks.length) }, worker));
    });
  } catch (error) {
    if (AbortedError.isInstance(error) || pool.isClosed) throw error;
    const notSent = ([name]: Command) =>
      new RedisConnectionError({
        message: `${name.toUpperCase()} was not sent: cannot reach ${address.host}:${address.port} (${(error as Error).message})`,
        host: address.host,
        port: address.port,
        outcome: "rejected",
        command: name,
        cause: error,
      });
    for (const item of items) {
      if (typeof item === "number") target.replies[item] = notSent(target.commands[item]!);
      else item.replies = item.commands.map(notSent);
    }
  }
  for (const item of items) if (typeof item !== "number") item.answeredBy = address.host;
}

function sizeOf(item: BatchItem): number {
  return typeof item === "number" ? 1 : item.commands.length + (item.askTarget === undefined ? 0 : 1);
}

function cutIntoChunks(items: readonly BatchItem[], chunkSize: number): BatchItem[][] {
  const chunks: BatchItem[][] = [];
  let current: BatchItem[] = [];
  let size = 0;
  for (const item of items) {
    const itemSize = sizeOf(item);
    if (size > 0 && size + itemSize > chunkSize) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += itemSize;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

async function sendChunk(
  connection: RedisConnection,
  items: readonly BatchItem[],
  target: ItemTarget,
  options: BatchOptions,
): Promise<void> {
  const commands: Command[] = [];
  for (const item of items) {
    if (typeof item === "number") {
      commands.push(target.commands[item]!);
      continue;
    }
    if (item.askTarget !== undefined) commands.push(ASKING);
    for (const command of item.commands) commands.push(command);
  }
  // One pipeline for the whole chunk (chunkSize = its length), so nothing else lands in between.
  const replies = await connection.batch(commands, {
    chunkSize: commands.length,
    ...(options.buffers === undefined ? {} : { buffers: options.buffers }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  let cursor = 0;
  for (const item of items) {
    if (typeof item === "number") {
      target.replies[item] = replies[cursor++]!;
      continue;
    }
    if (item.askTarget !== undefined) cursor++;
    item.replies = replies.slice(cursor, cursor + item.commands.length);
    cursor += item.commands.length;
  }
}
