import {
  type ActiveFault,
  type ClusterNode,
  crashAndRestart,
  type FaultProxy,
  forceOutOfMemory,
  keySlot,
  killClients,
  killMaster,
  type MasterKill,
  migrateSlots,
  type OutOfMemoryFault,
  type RedisCluster,
  type RedisServer,
  replicasOf,
  type SlotMigration,
  waitFor,
} from "@polars-redis/testkit";

/** The columns of the matrix. */
export type FaultId =
  | "blackhole"
  | "reset-mid-reply"
  | "kill-9-restart"
  | "client-kill"
  | "master-killed"
  | "slots-migrating"
  | "slots-migrated"
  | "oom";

/** Where a cell runs. */
export type Target = "server" | "cluster";

/** What a fault needs to know about the cell it strikes. */
export interface FaultScope {
  readonly target: Target;
  readonly server: RedisServer;
  readonly cluster: RedisCluster;
  /** The proxy the cell's connection goes through (server cells). */
  readonly proxy: FaultProxy;
  /** The slots the cell's tagged keys live in (cluster cells): migrations move exactly these. */
  readonly slots: readonly [number, number];
}

/** One fault, struck once per cell: `before` (optional) ahead of the operation, `strike` mid-way, `heal` after. */
export interface Fault {
  readonly id: FaultId;
  readonly label: string;
  readonly targets: readonly Target[];
  /** Whether the cell's connection goes through the fault proxy. */
  readonly proxied: boolean;
  /** Puts the fault in force; resolves once it is (the operation is paused until then). */
  strike(scope: FaultScope): Promise<Struck>;
  /** Runs before the operation starts (e.g. a migration left half-way, which the operation then meets). */
  before?(scope: FaultScope): Promise<void>;
}

export interface Struck {
  /** Ends the fault (and waits until the servers are healthy again). Idempotent. */
  heal(): Promise<void>;
}

const NOTHING_TO_HEAL: Struck = { heal: async () => undefined };

function once(heal: () => Promise<void>): Struck {
  let healing: Promise<void> | undefined;
  return {
    heal: () => {
      healing ??= heal();
      return healing;
    },
  };
}

function proxyFault(make: (proxy: FaultProxy) => ActiveFault): (scope: FaultScope) => Promise<Struck> {
  return async ({ proxy }) => {
    const fault = make(proxy);
    return once(() => fault.remove());
  };
}

/** Masters killed and not yet back, so that a later cell can rejoin them before killing again. */
const killed: MasterKill[] = [];

async function runningMasters(cluster: RedisCluster): Promise<ClusterNode[]> {
  const masters: ClusterNode[] = [];
  for (const node of cluster.nodes) {
    if (node.isRunning() && (await node.role()) === "master") masters.push(node);
  }
  return masters;
}

/** Brings every killed master back as a replica. */
export async function rejoinKilledMasters(): Promise<void> {
  for (const kill of killed.splice(0)) await kill.rejoin();
}

/** Migrations left to finish when the cell is over. */
const migrations = new Map<string, SlotMigration>();
const scopeKey = (scope: FaultScope) => `${scope.slots[0]}-${scope.slots[1]}`;

export const FAULTS: readonly Fault[] = [
  {
    id: "blackhole",
    label: "fault-proxy blackhole (the server stops answering)",
    targets: ["server"],
    proxied: true,
    strike: proxyFault((proxy) => proxy.blackhole()),
  },
  {
    id: "reset-mid-reply",
    label: "connection cut mid-reply (fault proxy closes after 700 bytes to the client)",
    targets: ["server"],
    proxied: true,
    strike: proxyFault((proxy) => proxy.closeAfterBytes({ bytes: 700, direction: "toClient" })),
  },
  {
    id: "kill-9-restart",
    label: "kill -9 and restart with persistence (AOF, fsync always)",
    targets: ["server"],
    proxied: false,
    strike: async ({ server }) => {
      await crashAndRestart(server);
      return NOTHING_TO_HEAL;
    },
  },
  {
    id: "client-kill",
    label: "CLIENT KILL TYPE normal on every node",
    targets: ["server", "cluster"],
    proxied: false,
    strike: async ({ target, server, cluster }) => {
      const nodes = target === "server" ? [server] : cluster.nodes.filter((node) => node.isRunning());
      for (const node of nodes) await killClients(node, { type: "normal" });
      return NOTHING_TO_HEAL;
    },
  },
  {
    id: "master-killed",
    label: "a master killed (kill -9), its replica promoted",
    targets: ["cluster"],
    proxied: false,
    strike: async ({ cluster }) => {
      let victim: ClusterNode | undefined;
      for (const master of await runningMasters(cluster)) {
        if ((await replicasOf(cluster, master)).length > 0) {
          victim = master;
          break;
        }
      }
      if (victim === undefined) {
        await rejoinKilledMasters();
        victim = (await runningMasters(cluster))[0]!;
      }
      const kill = killMaster(cluster, { node: victim });
      kill.catch(() => undefined);
      await waitFor(() => !victim!.isRunning(), { timeoutMs: 30_000, description: "the kill" });
      // The operation goes on during the failover; healing waits for the promotion (the node rejoins later).
      return once(async () => {
        killed.push(await kill);
      });
    },
  },
  {
    id: "slots-migrating",
    label: "the cell's slots left half-migrated (MIGRATING/IMPORTING, ASK) during the operation",
    targets: ["cluster"],
    proxied: false,
    strike: async (scope) => {
      const migration = await migrateSlots(scope.cluster, {
        slots: scope.slots,
        leaveMigrating: true,
        keysToMove: 10,
      });
      return once(() => migration.finish());
    },
  },
  {
    id: "slots-migrated",
    label: "a migration of the cell's slots completing during the operation (ASK, then MOVED)",
    targets: ["cluster"],
    proxied: false,
    before: async (scope) => {
      migrations.set(
        scopeKey(scope),
        await migrateSlots(scope.cluster, { slots: scope.slots, leaveMigrating: true, keysToMove: 5 }),
      );
    },
    strike: async (scope) => {
      const migration = migrations.get(scopeKey(scope))!;
      migrations.delete(scopeKey(scope));
      const finishing = migration.finish();
      finishing.catch(() => undefined);
      return once(() => finishing);
    },
  },
  {
    id: "oom",
    label: "OOM: maxmemory reached with noeviction (every master)",
    targets: ["server", "cluster"],
    proxied: false,
    strike: async ({ target, server, cluster }) => {
      const nodes = target === "server" ? [server] : await runningMasters(cluster);
      const faults: OutOfMemoryFault[] = [];
      for (const node of nodes) faults.push(await forceOutOfMemory(node));
      return once(async () => {
        for (const fault of faults) await fault.restore();
      });
    },
  },
];

/**
 * A slot range of 64 slots served by one master at the start, different for every cluster cell (so that a
 * migration of one cell's slots never meets another cell's), and hash tags that land on each of its slots.
 */
export function cellSlots(cellIndex: number): { slots: [number, number]; tags: string[] } {
  const first = 64 * cellIndex;
  const slots: [number, number] = [first, first + 63];
  if (slots[1] >= 5461)
    throw new Error(`cluster cell ${cellIndex} has no slot range of the first master left`);
  const tags = new Map<number, string>();
  for (let n = 0; tags.size < 64; n++) {
    const slot = keySlot(`t${n}`);
    if (slot >= slots[0] && slot <= slots[1] && !tags.has(slot)) tags.set(slot, `t${n}`);
  }
  return { slots, tags: [...tags.values()] };
}
