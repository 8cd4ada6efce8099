import type { RedisConnection } from "../connection/redis-connection.js";
import { CommandPipe } from "./request-pipe.js";

/**
 * What a raw-path user sends:
 * - "keyed": commands that each name one key where the channel can find it (HGETALL key, HMGET key ...). A
 *   cluster connection's raw channel routes each such command to its key's master.
 * - "any": anything, including commands that must reach one server together (MULTI/EXEC, XREADGROUP over
 *   several streams): only a single server's channel can carry them.
 */
export type RawPathUse = "keyed" | "any";

/**
 * The one check of whether a connection can take the raw RESP path: it must offer raw channels
 * (`openRawChannel`), and for `"any"` commands it must be a single server. Everything else takes the
 * connection's ordinary `batch`/`call`.
 */
export function takesRawPath(connection: RedisConnection, use: RawPathUse): boolean {
  if (typeof connection.openRawChannel !== "function") return false;
  return use === "keyed" || connection.kind === "standalone";
}

/** One pipe per connection, shared by every write through it, replaced once it has failed. */
const pipes = new WeakMap<RedisConnection, Promise<CommandPipe>>();

/**
 * The connection's shared CommandPipe (writers, acknowledgements), opened on first use; only for connections
 * that take the raw path for `"any"` commands. Its channel belongs to the connection and closes with it; its
 * deadline is the channel's (the connection's command timeout). A pipe that failed (closed, timed out,
 * abandoned) is replaced, never reused.
 */
export async function commandPipeFor(connection: RedisConnection): Promise<CommandPipe> {
  const current = pipes.get(connection);
  if (current !== undefined) {
    const pipe = await current.catch(() => undefined);
    if (pipe !== undefined && !pipe.closed) return pipe;
    if (pipes.get(connection) !== current) return commandPipeFor(connection);
  }
  const opening = connection.openRawChannel!().then((channel) => new CommandPipe(channel));
  pipes.set(connection, opening);
  opening.catch(() => {
    if (pipes.get(connection) === opening) pipes.delete(connection);
  });
  return opening;
}
