import type { RedisConnection } from "../connection/redis-connection.js";
import { CommandPipe } from "./command-pipe.js";

/** One pipe per connection, shared by every write through it, replaced once it has failed. */
const pipes = new WeakMap<RedisConnection, Promise<CommandPipe>>();

/**
 * Whether `connection` can give a shared CommandPipe: a single server whose connection offers raw channels.
 * (On a cluster each key lives on its own node; a pipe reaches one.)
 */
export function offersCommandPipe(connection: RedisConnection): boolean {
  return connection.kind === "standalone" && typeof connection.openRawChannel === "function";
}

/**
 * The connection's shared pipe (writers, acknowledgements), opened on first use. Its channel belongs to the
 * connection and closes with it; a pipe that failed (closed, timed out, abandoned) is replaced, never reused.
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
