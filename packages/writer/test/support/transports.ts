import type { RedisConnection } from "@polars-redis/core";

/** The two ways writeHashes reaches a single server: plain commands over a raw pipe, or per-key scripts. */
export type HashTransport = "raw pipe" | "script";

export const HASH_TRANSPORTS: readonly HashTransport[] = ["raw pipe", "script"];

const scriptOnly = new WeakMap<RedisConnection, RedisConnection>();

/**
 * `connection` as the given transport sees it: as is for the raw pipe, or without `openRawChannel` (like a
 * connection over a Unix socket), which makes the writers fall back to scripts sent through `batch`.
 */
export function viaTransport(connection: RedisConnection, transport: HashTransport): RedisConnection {
  if (transport === "raw pipe") return connection;
  let wrapped = scriptOnly.get(connection);
  if (wrapped === undefined) {
    wrapped = new Proxy(connection, {
      get(target, property) {
        if (property === "openRawChannel") return undefined;
        const value = Reflect.get(target, property, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    scriptOnly.set(connection, wrapped);
  }
  return wrapped;
}
