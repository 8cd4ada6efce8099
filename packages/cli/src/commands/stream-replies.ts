import type { RedisConnection, RedisReply } from "@polars-redis/core";
import { notFound } from "../cli-error.js";

/** A RESP2 flat [name, value, name, value, ...] reply as an object. */
export function pairsToObject(reply: RedisReply): Record<string, RedisReply> {
  const object: Record<string, RedisReply> = {};
  if (!Array.isArray(reply)) return object;
  for (let index = 0; index + 1 < reply.length; index += 2) {
    Object.defineProperty(object, String(reply[index]), {
      value: reply[index + 1],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return object;
}

export function text(value: RedisReply | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value.toString("utf8");
  return String(value);
}

export function integer(value: RedisReply | undefined): number | null {
  if (value === null || value === undefined) return null;
  const number = Number(Buffer.isBuffer(value) ? value.toString() : value);
  return Number.isFinite(number) ? number : null;
}

/** The stream's groups (XINFO GROUPS), or NOT_FOUND when the stream does not exist. */
export async function streamGroups(connection: RedisConnection, stream: string): Promise<GroupInfo[]> {
  const reply = await callStream(connection, stream, ["XINFO", "GROUPS", stream]);
  return (reply as RedisReply[]).map((group) => {
    const fields = pairsToObject(group);
    return {
      name: text(fields.name) ?? "",
      consumers: integer(fields.consumers) ?? 0,
      pending: integer(fields.pending) ?? 0,
      lastDeliveredId: text(fields["last-delivered-id"]),
      entriesRead: integer(fields["entries-read"]),
      lag: integer(fields.lag),
    };
  });
}

export interface GroupInfo {
  name: string;
  consumers: number;
  pending: number;
  lastDeliveredId: string | null;
  /** Entries the group has read (Redis 7+). */
  entriesRead: number | null;
  /** Entries not yet delivered to the group; null when Redis cannot tell (after deletions in the range). */
  lag: number | null;
}

/** Runs a stream command; "no such key" becomes NOT_FOUND (exit 4). */
export async function callStream(
  connection: RedisConnection,
  stream: string,
  command: [string, ...(string | number)[]],
): Promise<RedisReply> {
  try {
    return await connection.call(command[0], ...command.slice(1));
  } catch (error) {
    const { RedisCommandError } = await import("@polars-redis/core");
    if (RedisCommandError.isInstance(error) && /no such key/i.test(error.message)) {
      throw notFound(`stream ${JSON.stringify(stream)} does not exist`);
    }
    throw error;
  }
}

/** The group named by --group, or NOT_FOUND listing the groups there are. */
export function pickGroups(
  groups: readonly GroupInfo[],
  name: string | undefined,
  stream: string,
): GroupInfo[] {
  if (name === undefined) return [...groups];
  const group = groups.find((candidate) => candidate.name === name);
  if (group === undefined) {
    throw notFound(
      `stream ${JSON.stringify(stream)} has no consumer group ${JSON.stringify(name)}${
        groups.length > 0 ? ` (groups: ${groups.map((g) => g.name).join(", ")})` : " (it has no groups)"
      }`,
    );
  }
  return [group];
}

/** Stream id → the time it encodes, ISO 8601. */
export function idTime(id: string | null): string | null {
  if (id === null) return null;
  const ms = Number(id.split("-")[0]);
  return Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : null;
}
