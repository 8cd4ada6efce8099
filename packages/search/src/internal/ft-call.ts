import {
  InvalidArgumentError,
  ModuleNotLoadedError,
  type RedisArgument,
  RedisCommandError,
  type RedisConnection,
  type RedisReply,
} from "@polars-redis/core";
import {
  commandPipeFor,
  encodeCommands,
  keySlot,
  RespErrorReply,
  type RespValue,
  takesRawPath,
} from "@polars-redis/core/internal";

/** True when the error is Redis refusing a command it does not know (the module is not loaded). */
export function isUnknownCommand(error: unknown): boolean {
  return error instanceof Error && /unknown command/i.test(error.message);
}

/**
 * Sends one RediSearch command. A server without RediSearch answers "unknown command": that becomes core's
 * ModuleNotLoadedError (module "search"), so a missing module never looks like an empty result.
 */
export async function ftCall(
  conn: RedisConnection,
  command: string,
  ...args: RedisArgument[]
): Promise<RedisReply> {
  try {
    // Text arguments on a single server: core's raw pipe and RESP reader. ioredis 6 decodes large nested replies
    // (an FT.AGGREGATE page of 1000 documents) several times slower; it was half of searchHashes' client CPU.
    if (takesRawPath(conn, "any") && args.every((arg) => typeof arg === "string"))
      return await rawCall(conn, command, args as string[]);
    // On a cluster FT.* commands travel as keyless; the index's master answers MOVED and the cluster client
    // follows it to the node MOVED names.
    return await conn.call(command, ...args);
  } catch (error) {
    if (isUnknownCommand(error)) throw new ModuleNotLoadedError({ module: "search", command, cause: error });
    throw error;
  }
}

async function rawCall(conn: RedisConnection, command: string, args: string[]): Promise<RedisReply> {
  const pipe = await commandPipeFor(conn);
  const [reply] = await pipe.send(encodeCommands([[command, ...args]]), 1, command);
  return toRedisReply(reply!, command);
}

/** A raw reply as `conn.call` gives it: an error reply thrown as RedisCommandError (RediSearch's RESP2 replies
 * carry errors at the top level only). */
function toRedisReply(reply: RespValue, command: string): RedisReply {
  if (reply instanceof RespErrorReply) throw ftReplyError(reply.message, command);
  return reply as RedisReply;
}

/**
 * The error for an error reply read off a raw channel, as `ftCall` throws it: ModuleNotLoadedError when the
 * server does not know the command, RedisCommandError otherwise.
 */
export function ftReplyError(message: string, command: string): Error {
  const error = new RedisCommandError({ message, command });
  return isUnknownCommand(error)
    ? new ModuleNotLoadedError({ module: "search", command, cause: error })
    : error;
}

/** The `{tag}` of a key prefix, when it holds a complete non-empty one (what Redis Cluster hashes). */
function hashTagOf(prefix: string): string | undefined {
  const open = prefix.indexOf("{");
  if (open === -1) return undefined;
  const close = prefix.indexOf("}", open + 1);
  if (close === -1 || close === open + 1) return undefined;
  return prefix.slice(open + 1, close);
}

/**
 * RediSearch 2.6 without its coordinator on Redis Cluster: the index name is routed like a key, the index
 * lives on the master that owns its name's slot, and it indexes only the documents stored on that master.
 * A search is complete only when every document the index covers lives in that same slot, i.e. when each
 * prefix carries a hash tag of the index name's slot (index "users{eu}", prefix "user:{eu}:").
 * Throws InvalidArgumentError explaining this for any other layout. No-op on a standalone server.
 */
export function assertClusterLayout(
  conn: RedisConnection,
  index: string,
  prefixes: readonly string[],
  action: string,
): void {
  if (conn.kind !== "cluster") return;
  const slot = keySlot(index);
  const offending =
    prefixes.length === 0
      ? [""]
      : prefixes.filter((prefix) => {
          const tag = hashTagOf(prefix);
          return tag === undefined || keySlot(`{${tag}}`) !== slot;
        });
  if (offending.length === 0) return;
  throw new InvalidArgumentError(
    "index",
    `cannot ${action} index "${index}" on Redis Cluster: RediSearch without its coordinator keeps an index on ` +
      `the one master that owns the slot of the index name (${slot}), and that index sees only the documents ` +
      `stored on that master, so results would silently miss documents on the other masters. Prefix(es) ` +
      `${offending.map((p) => JSON.stringify(p)).join(", ")} do not pin documents to that slot. Put the index ` +
      `and its documents under one hash tag (index "users{u}" with prefix "user:{u}:"), or use a server with ` +
      "the RediSearch coordinator (Redis Enterprise, Redis 8 cluster).",
  );
}
