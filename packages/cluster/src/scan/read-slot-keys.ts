import type { BatchReply, Command, RedisConnection, RedisKeyType } from "@polars-redis/core";
import { decodeKeys } from "@polars-redis/core/internal";

const SLOTS_PER_ROUND_TRIP = 512;
const KEYS_PER_ROUND_TRIP = 10_000;

export interface SlotKeyFilter {
  /** SCAN MATCH's test, on the key's bytes. */
  readonly matches: (key: Buffer) => boolean;
  readonly type: RedisKeyType | undefined;
  /** Keys whose names are not valid UTF-8 are handed here instead of being yielded (as `scanKeys` does). */
  readonly onNonUtf8Key: (key: Buffer) => void;
}

/**
 * Reads the keys of some slots from one node with CLUSTER COUNTKEYSINSLOT / GETKEYSINSLOT (no cursor
 * exists for one slot, so one slot's keys are held at once), filters them as SCAN MATCH / TYPE would, and
 * hands them on in pages. Used for the few slots that moved or were mid-migration during a node's scan.
 */
export async function readSlotKeys(
  connection: RedisConnection,
  slots: readonly number[],
  filter: SlotKeyFilter,
  pageSize: number,
  emit: (keys: string[]) => Promise<void>,
): Promise<void> {
  for (let start = 0; start < slots.length; start += SLOTS_PER_ROUND_TRIP) {
    const chunk = slots.slice(start, start + SLOTS_PER_ROUND_TRIP);
    const counts = await batchOrThrow(
      connection,
      chunk.map((slot) => ["CLUSTER", "COUNTKEYSINSLOT", slot] as Command),
    );
    const groups: Array<Array<[slot: number, count: number]>> = [];
    let group: Array<[number, number]> = [];
    let groupKeys = 0;
    chunk.forEach((slot, i) => {
      const count = Number(counts[i]);
      if (count === 0) return;
      if (groupKeys > 0 && groupKeys + count > KEYS_PER_ROUND_TRIP) {
        groups.push(group);
        group = [];
        groupKeys = 0;
      }
      group.push([slot, count]);
      groupKeys += count;
    });
    if (group.length > 0) groups.push(group);

    for (const slotCounts of groups) {
      const replies = await batchOrThrow(
        connection,
        slotCounts.map(([slot, count]) => ["CLUSTER", "GETKEYSINSLOT", slot, count] as Command),
        true,
      );
      let keys = decodeKeys((replies as Buffer[][]).flat().filter(filter.matches), filter.onNonUtf8Key);
      if (filter.type !== undefined && keys.length > 0) keys = await keepType(connection, keys, filter.type);
      for (let at = 0; at < keys.length; at += pageSize) await emit(keys.slice(at, at + pageSize));
    }
  }
}

/** TYPE of each key; ASKING first, so a key already imported into a node that does not own its slot yet answers. */
async function keepType(connection: RedisConnection, keys: string[], type: RedisKeyType): Promise<string[]> {
  const commands: Command[] = [];
  for (const key of keys) commands.push(["ASKING"], ["TYPE", key]);
  const replies = await connection.batch(commands);
  const kept: string[] = [];
  keys.forEach((key, i) => {
    const reply = replies[i * 2 + 1];
    if (reply instanceof Error) {
      // MOVED: this node no longer serves the key, and the slot's new owner is read after this one.
      if ("redisCode" in reply && (reply.redisCode === "MOVED" || reply.redisCode === "ASK")) return;
      throw reply;
    }
    if (reply === type) kept.push(key);
  });
  return kept;
}

async function batchOrThrow(
  connection: RedisConnection,
  commands: Command[],
  buffers = false,
): Promise<BatchReply[]> {
  const replies = await connection.batch(commands, { buffers });
  const failure = replies.find((reply) => reply instanceof Error);
  if (failure !== undefined) throw failure;
  return replies;
}
