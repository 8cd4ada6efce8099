import {
  AbortedError,
  type BatchOptions,
  type Command,
  type RedisConnection,
  RedisConnectionError,
} from "@polars-redis/core";
import type { NodeAddress } from "../topology/node-address.js";
import type { NodePool } from "../topology/node-pool.js";
import type { BatchUnit } from "./batch-unit.js";
import type { RedirectPolicy } from "./redirect-policy.js";

const ASKING: Command = ["ASKING"];

/**
 * Sends units to one node in pipelines of about `chunkSize` commands, a few pipelines in flight. A unit is
 * never cut across pipelines: ASKING must directly precede its command and a MULTI ... EXEC group must
 * arrive in one piece, and another batch sharing this node's connection could otherwise slip in between.
 * Each unit gets one reply per command; when the node cannot be reached at all, every command gets a
 * "rejected" RedisConnectionError (it was never sent).
 */
export async function sendToNode(
  pool: NodePool,
  address: NodeAddress,
  units: readonly BatchUnit[],
  policy: RedirectPolicy,
  options: BatchOptions,
): Promise<readonly BatchUnit[]> {
  for (const unit of units) unit.replies = undefined;
  const chunks = cutIntoChunks(units, Math.max(1, options.chunkSize ?? policy.defaultChunkSize));
  try {
    await pool.use(address, async (connection) => {
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < chunks.length) await sendChunk(connection, chunks[next++]!, options);
      };
      await Promise.all(Array.from({ length: Math.min(policy.pipelinesPerNode, chunks.length) }, worker));
    });
  } catch (error) {
    if (AbortedError.isInstance(error) || pool.isClosed) throw error;
    for (const unit of units) {
      unit.replies ??= unit.commands.map(
        ([name]) =>
          new RedisConnectionError({
            message: `${name.toUpperCase()} was not sent: cannot reach ${address.host}:${address.port} (${(error as Error).message})`,
            host: address.host,
            port: address.port,
            outcome: "rejected",
            command: name,
            cause: error,
          }),
      );
    }
  }
  for (const unit of units) unit.answeredBy = address.host;
  return units;
}

function cutIntoChunks(units: readonly BatchUnit[], chunkSize: number): BatchUnit[][] {
  const chunks: BatchUnit[][] = [];
  let current: BatchUnit[] = [];
  let size = 0;
  for (const unit of units) {
    const unitSize = unit.commands.length + (unit.askTarget === undefined ? 0 : 1);
    if (size > 0 && size + unitSize > chunkSize) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(unit);
    size += unitSize;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

async function sendChunk(
  connection: RedisConnection,
  units: readonly BatchUnit[],
  options: BatchOptions,
): Promise<void> {
  const commands: Command[] = [];
  for (const unit of units) {
    if (unit.askTarget !== undefined) commands.push(ASKING);
    for (const command of unit.commands) commands.push(command);
  }
  // One pipeline for the whole chunk (chunkSize = its length), so nothing else lands in between.
  const replies = await connection.batch(commands, {
    chunkSize: commands.length,
    ...(options.buffers === undefined ? {} : { buffers: options.buffers }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  let cursor = 0;
  for (const unit of units) {
    if (unit.askTarget !== undefined) cursor++;
    unit.replies = replies.slice(cursor, cursor + unit.commands.length);
    cursor += unit.commands.length;
  }
}
