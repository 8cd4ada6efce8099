import type { Redis } from "ioredis";
import { withAdminConnection } from "../../server/admin-connection.js";
import { CLUSTER_SLOTS, type ClusterNode, type RedisCluster } from "../../server/start-cluster.js";
import { waitFor } from "../../server/wait-for.js";
import { allNodesAgreeOwner, clusterView, runningNodes } from "./cluster-views.js";

export interface MigrateSlotsOptions {
  /** One slot, or an inclusive range `[first, last]`; every slot must be served by the same master. */
  slots: number | readonly [number, number];
  /** The master that receives the slots [the first other running master]. */
  to?: ClusterNode | undefined;
  /**
   * Stop mid-migration: the source says MIGRATING and the target IMPORTING, the keys moved so far live on the
   * target, and the source answers `-ASK` for them (and for any key it does not hold). `finish()` or
   * `restore()` later. Default false: the slots are reassigned before this resolves.
   */
  leaveMigrating?: boolean | undefined;
  /** With `leaveMigrating`: how many keys per slot to move before stopping [all of them]. */
  keysToMove?: number | undefined;
  timeoutMs?: number | undefined;
}

export interface SlotMigration {
  readonly slots: readonly number[];
  readonly from: ClusterNode;
  readonly to: ClusterNode;
  /** "migrating" (left mid-way), "finished" (slots served by `to`), "restored" (back on `from`). */
  readonly state: "migrating" | "finished" | "restored";
  /** Moves the remaining keys and assigns the slots to `to`; resolves when every node agrees. */
  finish(): Promise<void>;
  /** Finishes if needed, then migrates the slots and their keys back to `from`. */
  restore(): Promise<void>;
}

const KEYS_PER_MIGRATE = 100;
const MIGRATE_TIMEOUT_MS = 10_000;

/**
 * Moves hash slots between masters live, as `redis-cli --cluster reshard` does: CLUSTER SETSLOT IMPORTING on
 * the target, MIGRATING on the source, MIGRATE of the keys in batches, then SETSLOT NODE on the target, the
 * source and every other master. Clients see MOVED after it and ASK during it.
 */
export async function migrateSlots(
  cluster: RedisCluster,
  options: MigrateSlotsOptions,
): Promise<SlotMigration> {
  const { leaveMigrating = false, keysToMove = Number.POSITIVE_INFINITY, timeoutMs = 60_000 } = options;
  const slots = slotList(options.slots);
  if (!(keysToMove >= 0)) throw new RangeError(`keysToMove must be >= 0, got ${keysToMove}`);
  const from = await cluster.masterForSlot(slots[0]!);
  const served = (await clusterView(from)).find((view) => view.id === from.id)?.slots ?? [];
  if (!slots.every((slot) => served.some(([start, end]) => slot >= start && slot <= end))) {
    throw new RangeError(`slots ${describeSlots(slots)} are not all served by ${from.url}`);
  }
  const to = options.to ?? (await otherMaster(cluster, from));
  if (to === from) throw new RangeError(`slot ${slots[0]} is already served by ${to.url}`);
  if ((await to.role()) !== "master") throw new RangeError(`${to.url} is not a master`);

  const migration = new LiveSlotMigration(cluster, slots, from, to, timeoutMs);
  await migration.start(leaveMigrating ? keysToMove : Number.POSITIVE_INFINITY);
  if (!leaveMigrating) await migration.finish();
  return migration;
}

class LiveSlotMigration implements SlotMigration {
  state: "migrating" | "finished" | "restored" = "migrating";

  constructor(
    private readonly cluster: RedisCluster,
    readonly slots: readonly number[],
    readonly from: ClusterNode,
    readonly to: ClusterNode,
    private readonly timeoutMs: number,
  ) {}

  async start(keysToMove: number): Promise<void> {
    await onNode(this.to, async (target) => {
      await onNode(this.from, async (source) => {
        for (const slot of this.slots) {
          // Target first: once the source says MIGRATING it sends clients to the target with ASK.
          await target.call("CLUSTER", "SETSLOT", String(slot), "IMPORTING", this.from.id);
          await source.call("CLUSTER", "SETSLOT", String(slot), "MIGRATING", this.to.id);
          await moveKeys(source, slot, this.to, keysToMove);
        }
      });
    });
  }

  async finish(): Promise<void> {
    if (this.state !== "migrating") return;
    await onNode(this.from, async (source) => {
      for (const slot of this.slots) await moveKeys(source, slot, this.to, Number.POSITIVE_INFINITY);
    });
    await this.claimUntilAgreed();
    this.state = "finished";
  }

  /**
   * SETSLOT NODE everywhere, then waits for every node to agree. A claim can still be lost to a node whose config
   * epoch is higher (see waitForEpochAgreement; seen on a loaded machine after back-to-back migrations), and a lost
   * claim stays lost: then the target's config epoch is made the highest (CLUSTER BUMPEPOCH) and it claims again,
   * until the migration's deadline.
   */
  private async claimUntilAgreed(): Promise<void> {
    const deadline = Date.now() + this.timeoutMs;
    const description = `every node to see slots ${describeSlots(this.slots)} on ${this.to.url}`;
    await assignSlots(this.cluster, this.slots, this.from, this.to);
    for (;;) {
      const remaining = deadline - Date.now();
      try {
        await waitFor(() => allNodesAgreeOwner(this.cluster, this.slots, this.to), {
          timeoutMs: Math.max(1, Math.min(5_000, remaining)),
          intervalMs: 100,
          description,
        });
        return;
      } catch (error) {
        if (Date.now() >= deadline) throw error;
      }
      await onNode(this.to, (target) => target.call("CLUSTER", "BUMPEPOCH"));
      await assignSlots(this.cluster, this.slots, this.from, this.to);
    }
  }

  async restore(): Promise<void> {
    if (this.state === "restored") return;
    await this.finish();
    const back = new LiveSlotMigration(this.cluster, this.slots, this.to, this.from, this.timeoutMs);
    await back.start(Number.POSITIVE_INFINITY);
    await back.finish();
    this.state = "restored";
  }
}

/** SETSLOT NODE on the target, then the source (so it stops answering ASK), then every other master. */
async function assignSlots(
  cluster: RedisCluster,
  slots: readonly number[],
  from: ClusterNode,
  to: ClusterNode,
): Promise<void> {
  const others: ClusterNode[] = [];
  for (const node of runningNodes(cluster)) {
    if (node !== from && node !== to && (await node.role()) === "master") others.push(node);
  }
  await waitForEpochAgreement(cluster);
  for (const node of [to, from, ...others]) {
    await onNode(node, async (redis) => {
      for (const slot of slots) await redis.call("CLUSTER", "SETSLOT", String(slot), "NODE", to.id);
    });
  }
}

/**
 * Waits until every running node reports the same `cluster_current_epoch`. SETSLOT NODE on the target bumps the
 * target's config epoch only when the target believes it is not already the highest; a target that has not yet
 * heard of a recent bump (e.g. the previous migration's) keeps a lower epoch, and a node that still maps the slots
 * to that higher-epoch owner answers the claim with UPDATE: the claim is lost and the nodes disagree for good.
 */
async function waitForEpochAgreement(cluster: RedisCluster): Promise<void> {
  await waitFor(
    async () => {
      const epochs = new Set<string>();
      for (const node of runningNodes(cluster)) {
        const info = await onNode(node, async (redis) => String(await redis.call("CLUSTER", "INFO")));
        epochs.add(/cluster_current_epoch:(\d+)/.exec(info)?.[1] ?? "?");
      }
      return epochs.size === 1 && !epochs.has("?");
    },
    { timeoutMs: 30_000, intervalMs: 50, description: "every node to agree on the cluster's current epoch" },
  );
}

/** MIGRATEs up to `limit` keys of `slot` from the source connection to `to`, in batches. */
async function moveKeys(source: Redis, slot: number, to: ClusterNode, limit: number): Promise<void> {
  let moved = 0;
  while (moved < limit) {
    const batch = Math.min(KEYS_PER_MIGRATE, limit - moved);
    const keys = (await source.callBuffer(
      "CLUSTER",
      "GETKEYSINSLOT",
      String(slot),
      String(batch),
    )) as Buffer[];
    if (keys.length === 0) return;
    await source.callBuffer(
      "MIGRATE",
      to.host,
      String(to.port),
      "",
      "0",
      String(MIGRATE_TIMEOUT_MS),
      "REPLACE",
      "KEYS",
      ...keys,
    );
    moved += keys.length;
  }
}

async function otherMaster(cluster: RedisCluster, from: ClusterNode): Promise<ClusterNode> {
  const views = await clusterView(from);
  for (const node of runningNodes(cluster)) {
    const view = views.find((candidate) => candidate.id === node.id);
    if (node !== from && view?.flags.has("master") && !view.flags.has("fail")) return node;
  }
  throw new Error(`no other running master to migrate slots of ${from.url} to`);
}

function slotList(slots: number | readonly [number, number]): number[] {
  const [first, last] = typeof slots === "number" ? [slots, slots] : slots;
  for (const slot of [first, last]) {
    if (!Number.isInteger(slot) || slot < 0 || slot >= CLUSTER_SLOTS) {
      throw new RangeError(`slots must be integers in [0, ${CLUSTER_SLOTS - 1}], got ${slot}`);
    }
  }
  if (last < first) throw new RangeError(`slot range [${first}, ${last}] is empty`);
  return Array.from({ length: last - first + 1 }, (_, index) => first + index);
}

function describeSlots(slots: readonly number[]): string {
  return slots.length === 1 ? String(slots[0]) : `${slots[0]}-${slots.at(-1)}`;
}

function onNode<T>(node: ClusterNode, use: (redis: Redis) => Promise<T>): Promise<T> {
  return withAdminConnection(node, use, { commandTimeoutMs: MIGRATE_TIMEOUT_MS + 5_000 });
}
