import {
  configGet,
  infoFields,
  type RedisEndpoint,
  withAdminConnection,
} from "../../server/admin-connection.js";

/** Undoes forceOutOfMemory: restores the previous `maxmemory` and `maxmemory-policy`. Idempotent. */
export interface OutOfMemoryFault extends AsyncDisposable {
  /** The `maxmemory` now in force, in bytes. */
  readonly maxmemory: number;
  restore(): Promise<void>;
}

export interface ForceOutOfMemoryOptions {
  /**
   * Bytes of room left above the memory used right now [0]. With 0 (the limit is set to 1 byte) every write is
   * refused; with some room, writes succeed until the data grows past it, e.g. half of a batch.
   */
  headroomBytes?: number | undefined;
}

/**
 * Makes the server refuse writes with its real `OOM command not allowed when used memory > 'maxmemory'` reply:
 * `maxmemory-policy noeviction` and a `maxmemory` at (or just above) what is used. Reads, DEL and admin
 * commands keep working. Returns a handle whose `restore()` (or `await using`) puts the old settings back.
 */
export async function forceOutOfMemory(
  endpoint: RedisEndpoint,
  { headroomBytes = 0 }: ForceOutOfMemoryOptions = {},
): Promise<OutOfMemoryFault> {
  if (!Number.isInteger(headroomBytes) || headroomBytes < 0) {
    throw new RangeError(`headroomBytes must be an integer >= 0, got ${headroomBytes}`);
  }
  const { previousLimit, previousPolicy, maxmemory } = await withAdminConnection(endpoint, async (admin) => {
    const previousLimit = await configGet(admin, "maxmemory");
    const previousPolicy = await configGet(admin, "maxmemory-policy");
    // maxmemory 0 means "no limit", so the smallest real limit is 1 byte.
    const used = Number((await infoFields(admin, "memory")).get("used_memory") ?? 0);
    const maxmemory = headroomBytes === 0 ? 1 : used + headroomBytes;
    await admin.config("SET", "maxmemory-policy", "noeviction");
    await admin.config("SET", "maxmemory", String(maxmemory));
    return { previousLimit, previousPolicy, maxmemory };
  });
  let restored = false;
  const restore = async () => {
    if (restored) return;
    restored = true;
    await withAdminConnection(endpoint, async (admin) => {
      await admin.config("SET", "maxmemory", previousLimit);
      await admin.config("SET", "maxmemory-policy", previousPolicy);
    });
  };
  return { maxmemory, restore, [Symbol.asyncDispose]: restore };
}
