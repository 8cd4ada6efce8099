import { type RedisEndpoint, withAdminConnection } from "../../server/admin-connection.js";

export type ConflictingType = "string" | "list" | "hash" | "set" | "zset" | "stream";

/**
 * Replaces `key` with a value of type `as` [list], so any command for another type gets the real
 * `WRONGTYPE Operation against a key holding the wrong kind of value` reply.
 */
export async function createWrongTypeConflict(
  endpoint: RedisEndpoint,
  key: string,
  { as = "list" }: { as?: ConflictingType | undefined } = {},
): Promise<void> {
  await withAdminConnection(endpoint, async (admin) => {
    const write = admin.multi().del(key);
    switch (as) {
      case "string":
        write.set(key, "testkit wrongtype conflict");
        break;
      case "list":
        write.rpush(key, "testkit wrongtype conflict");
        break;
      case "hash":
        write.hset(key, "testkit", "wrongtype conflict");
        break;
      case "set":
        write.sadd(key, "testkit wrongtype conflict");
        break;
      case "zset":
        write.zadd(key, 0, "testkit wrongtype conflict");
        break;
      case "stream":
        write.xadd(key, "*", "testkit", "wrongtype conflict");
        break;
      default:
        throw new RangeError(`unknown type "${as as string}"`);
    }
    const results = await write.exec();
    const failure = results?.find(([error]) => error !== null)?.[0];
    if (failure) throw failure;
  });
}
