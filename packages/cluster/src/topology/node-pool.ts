import { type RedisConnection, RedisConnectionError } from "@polars-redis/core";
import { addressKey, type NodeAddress } from "./node-address.js";

export type OpenNodeConnection = (address: NodeAddress) => Promise<RedisConnection>;

interface PoolEntry {
  readonly connection: Promise<RedisConnection>;
  leases: number;
  retired: boolean;
}

/**
 * One standalone connection per cluster node, opened on first use and shared by every batch and scan.
 * Work borrows a connection with `use`, so a connection to a node that left the master set (failed over,
 * removed) is closed only once nobody is using it: closing it under a running pipeline would turn commands
 * that were never sent into "unknown" outcomes.
 */
export class NodePool {
  private readonly entries = new Map<string, PoolEntry>();
  private closed = false;

  constructor(private readonly open: OpenNodeConnection) {}

  async use<T>(address: NodeAddress, work: (connection: RedisConnection) => Promise<T>): Promise<T> {
    const entry = this.entry(address);
    entry.leases++;
    try {
      const connection = await entry.connection;
      return await work(connection);
    } finally {
      entry.leases--;
      if (entry.retired && entry.leases === 0) void this.release(addressKey(address), entry);
    }
  }

  /** Closes connections to nodes outside `keep` (once idle); they reopen if those nodes come back. */
  retireAllExcept(keep: ReadonlySet<string>): void {
    for (const [key, entry] of this.entries) {
      if (keep.has(key)) continue;
      entry.retired = true;
      if (entry.leases === 0) void this.release(key, entry);
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async close(): Promise<void> {
    this.closed = true;
    const entries = [...this.entries];
    this.entries.clear();
    await Promise.all(entries.map(([, entry]) => closeQuietly(entry)));
  }

  private entry(address: NodeAddress): PoolEntry {
    if (this.closed) {
      throw new RedisConnectionError({ message: "the cluster connection is closed", outcome: "rejected" });
    }
    const key = addressKey(address);
    const existing = this.entries.get(key);
    if (existing !== undefined && !existing.retired) return existing;
    const connection = this.open(address);
    const entry: PoolEntry = { connection, leases: 0, retired: false };
    this.entries.set(key, entry);
    // A node that cannot be reached now may be reachable on the next try: do not cache the failure.
    connection.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return entry;
  }

  private async release(key: string, entry: PoolEntry): Promise<void> {
    if (this.entries.get(key) === entry) this.entries.delete(key);
    await closeQuietly(entry);
  }
}

async function closeQuietly(entry: PoolEntry): Promise<void> {
  try {
    await (await entry.connection).close();
  } catch {
    // It never opened, or the node is gone: nothing to release.
  }
}
