import { type RedisEndpoint, withAdminConnection } from "../../server/admin-connection.js";

export type ClientType = "normal" | "master" | "replica" | "pubsub";

export interface KillClientsOptions {
  /** Kill the connections whose CLIENT SETNAME name is this (ioredis: the `connectionName` option). */
  name?: string | undefined;
  /** Kill every connection of this type (`CLIENT KILL TYPE ...`). */
  type?: ClientType | undefined;
}

/**
 * `CLIENT KILL`: the server closes the matching connections, as when it drops idle or misbehaving clients.
 * Redis 7.0 has no NAME filter, so by-name kills look the ids up in `CLIENT LIST`. The helper's own connection
 * is never killed. Resolves with the number of connections closed.
 */
export async function killClients(endpoint: RedisEndpoint, options: KillClientsOptions): Promise<number> {
  const { name, type } = options;
  if (name === undefined && type === undefined) {
    throw new TypeError("killClients needs a `name` or a `type` (refusing to kill every client)");
  }
  return withAdminConnection(endpoint, async (admin) => {
    if (name === undefined) {
      return Number(await admin.call("CLIENT", "KILL", "TYPE", type!, "SKIPME", "yes"));
    }
    const ownId = Number(await admin.client("ID"));
    const list = String(await admin.call("CLIENT", "LIST", ...(type ? ["TYPE", type] : [])));
    let killed = 0;
    for (const line of list.split("\n")) {
      const fields = new Map(
        line
          .trim()
          .split(" ")
          .map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)] as const),
      );
      const id = Number(fields.get("id"));
      if (fields.get("name") !== name || !Number.isInteger(id) || id === ownId) continue;
      killed += Number(await admin.call("CLIENT", "KILL", "ID", String(id)));
    }
    return killed;
  });
}
