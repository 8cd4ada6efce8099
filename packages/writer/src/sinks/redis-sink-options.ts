import type { RedisConnection } from "@polars-redis/core";

/** What every Redis sink takes besides its writer's options. */
export interface RedisSinkOptions {
  /** The sink's name in router stats and logs. */
  name?: string | undefined;
  /** Close the connection when the sink is closed. [false: the connection belongs to the caller] */
  closeConnection?: boolean | undefined;
}

/** A `close` that is safe to call twice and closes the connection only when the sink owns it. */
export function sinkCloser(connection: RedisConnection, options: RedisSinkOptions): () => Promise<void> {
  let closed = false;
  return async () => {
    if (closed) return;
    closed = true;
    if (options.closeConnection) await connection.close();
  };
}
