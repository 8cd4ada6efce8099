import { CommandPipe, type RedisConnection } from "@polars-redis/core";

/** One pipe per connection, shared by every write through it, replaced once it has failed. */
const pipes = new WeakMap<RedisConnection, Promise<CommandPipe>>();

/**
 * Whether writes through `connection` may use a raw pipe: a single server whose connection offers raw channels.
 * (A cluster routes every key to its own node, which the script path already does.)
 */
export function offersPipe(connection: RedisConnection): boolean {
  return connection.kind === "standalone" && typeof connection.openRawChannel === "function";
}

/**
 * The connection's pipe, opened on first use. The channel belongs to the connection and closes with it; a pipe
 * that failed (closed, timed out, abandoned) is never reused.
 */
export async function pipeFor(connection: RedisConnection): Promise<CommandPipe> {
  const current = pipes.get(connection);
  if (current !== undefined) {
    const pipe = await current.catch(() => undefined);
    if (pipe !== undefined && !pipe.closed) return pipe;
    if (pipes.get(connection) !== current) return pipeFor(connection);
  }
  const opening = connection.openRawChannel!().then((channel) => new CommandPipe(channel));
  pipes.set(connection, opening);
  opening.catch(() => {
    if (pipes.get(connection) === opening) pipes.delete(connection);
  });
  return opening;
}
