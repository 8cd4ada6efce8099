import {
  AbortedError,
  type RedisArgument,
  RedisCommandError,
  RedisConnectionError,
  RedisTimeoutError,
  type ScanKeysOptions,
} from "@polars-redis/core";
import {
  decodeKeys,
  nonUtf8KeyHandler,
  type ResolvedRetryPolicy,
  throwIfAborted,
} from "@polars-redis/core/internal";
import type { ClusterEventLog } from "../cluster-events.js";
import { keySlot } from "../commands/key-slot.js";
import type { ClusterTopology } from "../topology/cluster-topology.js";
import { addressKey, type NodeAddress } from "../topology/node-address.js";
import type { NodePool } from "../topology/node-pool.js";
import { SLOT_COUNT } from "../topology/slot-map.js";
import { getOrCreate } from "../util/get-or-create.js";
import { backoffDelay, sleep } from "../util/sleep.js";
import { withTimeout } from "../util/with-timeout.js";
import { createGlobMatcher } from "./glob-match.js";
import { KeyFingerprintSet } from "./key-fingerprint-set.js";
import { slotOfLiteralHashTag } from "./literal-hash-tag.js";
import { PageChannel } from "./page-channel.js";
import { readSlotKeys, type SlotKeyFilter } from "./read-slot-keys.js";

const DEFAULT_SCAN_COUNT = 1000;
/** A slot handed to another node more often than this in one scan means the cluster cannot settle. */
const MAX_REASSIGNMENTS_PER_SLOT = 32;
const PING_TIMEOUT_MS = 2000;

export interface ClusterScanContext {
  readonly topology: ClusterTopology;
  readonly pool: NodePool;
  readonly events: ClusterEventLog;
  /** How long to wait for a lost master's slots to get a reachable master again. */
  readonly retryWindowMs: number;
  /** How the waits for a reachable master back off. */
  readonly backoff: ResolvedRetryPolicy;
  /** Masters scanned at once. */
  readonly concurrency: number;
  /** Remember yielded keys (16 bytes each) so that re-read slots never yield a key twice. */
  readonly deduplicate: boolean;
}

/**
 * One unit of scan work on one node:
 * - "scan": SCAN the whole node, keeping the keys of `slots` (a master's share, or a lost master's slots on
 *   its successor);
 * - "slots": read just these slots with CLUSTER GETKEYSINSLOT (a few slots that moved to this node);
 * - "importing": read these slots on the node they are being migrated to (keys that left the source early).
 * "scan" and "slots" end by asking the node which of `slots` it still serves: slots that moved meanwhile are
 * read again on their new master, slots in mid-migration are also read on the importing node.
 */
interface ScanTask {
  readonly kind: "scan" | "slots" | "importing";
  readonly node: NodeAddress;
  readonly slots: readonly number[];
}

/**
 * Scans every key of a cluster (matching pattern and type), several masters at a time, and follows the
 * topology: a master lost mid-scan is scanned again on its successor, and slots that migrate during the
 * scan are read again where they went. With `deduplicate`, no key is yielded twice.
 */
export async function* scanClusterKeys(
  context: ClusterScanContext,
  options: ScanKeysOptions,
): AsyncGenerator<string[]> {
  const scan = new ClusterKeyScan(context, options);
  const running = scan.run();
  try {
    for (;;) {
      const page = await scan.channel.take();
      if (page === undefined) return;
      yield page;
    }
  } finally {
    scan.stop();
    await running;
  }
}

class ClusterKeyScan {
  readonly channel = new PageChannel();
  private readonly queue: ScanTask[] = [];
  private active = 0;
  private idle: Array<() => void> = [];
  private readonly seen: KeyFingerprintSet | undefined;
  private readonly stopper = new AbortController();
  private readonly signal: AbortSignal;
  private readonly pattern: string;
  private readonly count: number;
  private readonly type: ScanKeysOptions["type"];
  private readonly filter: SlotKeyFilter;
  private readonly nonUtf8: ReturnType<typeof nonUtf8KeyHandler>;
  private failed = false;
  private readonly reassignments = new Map<number, number>();

  constructor(
    private readonly context: ClusterScanContext,
    options: ScanKeysOptions,
  ) {
    this.pattern = options.pattern ?? "*";
    this.count = Math.max(1, options.count ?? DEFAULT_SCAN_COUNT);
    this.type = options.type;
    this.nonUtf8 = nonUtf8KeyHandler(options.onNonUtf8Key);
    this.filter = {
      matches: createGlobMatcher(this.pattern),
      type: options.type,
      onNonUtf8Key: this.nonUtf8.onKey,
    };
    this.seen = context.deduplicate ? new KeyFingerprintSet() : undefined;
    this.signal =
      options.signal === undefined
        ? this.stopper.signal
        : AbortSignal.any([options.signal, this.stopper.signal]);
    const callerSignal = options.signal;
    if (callerSignal !== undefined) {
      const onAbort = () => this.fail(new AbortedError(callerSignal.reason));
      callerSignal.addEventListener("abort", onAbort, { once: true });
      // A long-lived signal shared by many scans must not collect one listener per scan.
      this.stopper.signal.addEventListener(
        "abort",
        () => callerSignal.removeEventListener("abort", onAbort),
        {
          once: true,
        },
      );
    }
  }

  async run(): Promise<void> {
    try {
      await this.planInitialTasks();
      const workers = Array.from({ length: Math.max(1, this.context.concurrency) }, () => this.worker());
      await Promise.all(workers);
      if (!this.failed && !this.signal.aborted) this.nonUtf8.finish(this.pattern);
      if (!this.failed) this.channel.finish();
    } catch (error) {
      this.fail(error);
    } finally {
      this.stopper.abort(); // releases the caller's signal listener
    }
  }

  /** The consumer stopped early (or finished): release everything still running. */
  stop(): void {
    this.stopper.abort();
    this.channel.close();
    this.wakeIdle();
  }

  private fail(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.stopper.abort();
    this.channel.fail(error);
    this.wakeIdle();
  }

  private async worker(): Promise<void> {
    while (!this.signal.aborted) {
      const task = this.queue.shift();
      if (task !== undefined) {
        this.active++;
        try {
          await this.runTask(task);
        } catch (error) {
          if (!this.signal.aborted) this.fail(error);
          return;
        } finally {
          this.active--;
          this.wakeIdle();
        }
        continue;
      }
      if (this.active === 0) return;
      await new Promise<void>((resolve) => this.idle.push(resolve));
    }
  }

  private enqueue(task: ScanTask): void {
    this.queue.push(task);
    this.wakeIdle();
  }

  private wakeIdle(): void {
    for (const wake of this.idle.splice(0)) wake();
  }

  private async planInitialTasks(): Promise<void> {
    const tagSlot = slotOfLiteralHashTag(this.pattern);
    const slots = tagSlot === undefined ? Array.from({ length: SLOT_COUNT }, (_, slot) => slot) : [tagSlot];
    for (const group of await this.awaitReachableOwners(slots, undefined)) {
      this.enqueue({ kind: "scan", node: group.address, slots: group.slots });
    }
  }

  private async runTask(task: ScanTask): Promise<void> {
    try {
      if (task.kind === "scan") await this.scanNode(task);
      else {
        await this.context.pool.use(task.node, (connection) =>
          readSlotKeys(connection, task.slots, this.filter, this.count, (keys) => this.emit(keys)),
        );
      }
      if (task.kind !== "importing") await this.settle(task);
    } catch (error) {
      if (this.signal.aborted || !isNodeTrouble(error)) throw error;
      await this.recoverLostNode(task);
    }
  }

  private async scanNode(task: ScanTask): Promise<void> {
    // Without deduplication, keep only this task's slots (see below): a slot bitmap, built only then.
    const wanted = this.seen === undefined ? new Uint8Array(SLOT_COUNT) : undefined;
    if (wanted !== undefined) for (const slot of task.slots) wanted[slot] = 1;
    const extra: RedisArgument[] = this.type === undefined ? [] : ["TYPE", this.type];
    let cursor = "0";
    do {
      throwIfAborted(this.signal);
      // Buffers, not strings: a key that is not UTF-8 must be recognised, not silently renamed by decoding.
      const [nextCursor, rawKeys] = (await this.context.pool.use(task.node, (connection) =>
        connection.callBuffer("SCAN", cursor, "MATCH", this.pattern, "COUNT", this.count, ...extra),
      )) as [Buffer, Buffer[]];
      cursor = nextCursor.toString();
      const decoded = decodeKeys(rawKeys, this.nonUtf8.onKey);
      // A node may also hold keys of slots it is importing, which another task reads too. With deduplication
      // the first read wins and the other drops them; without it, keep only this task's slots.
      const keys = wanted === undefined ? decoded : decoded.filter((key) => wanted[keySlot(key)] === 1);
      if (keys.length > 0) await this.emit(keys);
    } while (cursor !== "0");
  }

  private async emit(keys: string[]): Promise<void> {
    const seen = this.seen;
    const fresh = seen === undefined ? keys : keys.filter((key) => seen.add(key));
    if (fresh.length > 0) await this.channel.put(fresh);
  }

  /**
   * After reading a node: which of the task's slots does it still serve (its own CLUSTER NODES line is the
   * authority)? Slots in mid-migration are also read on the importing node; slots that moved away are read
   * again on their new master.
   */
  private async settle(task: ScanTask): Promise<void> {
    const { self, addressOf } = await this.context.topology.selfView(task.node);
    const moved: number[] = [];
    const importing = new Map<string, { address: NodeAddress; slots: number[] }>();
    for (const slot of task.slots) {
      if (!self.ownedSlots.has(slot)) {
        moved.push(slot);
        continue;
      }
      const targetId = self.migrating.get(slot);
      if (targetId === undefined) continue;
      const target = addressOf(targetId);
      if (target === undefined) {
        throw new RedisConnectionError({
          message: `slot ${slot} is being migrated to node ${targetId}, whose address is unknown`,
          outcome: "rejected",
        });
      }
      const key = addressKey(target);
      const group = getOrCreate(importing, key, () => ({ address: target, slots: [] as number[] }));
      group.slots.push(slot);
    }
    for (const group of importing.values()) {
      this.context.events.emit({
        type: "scan-slots-rescanned",
        node: addressKey(group.address),
        slots: group.slots.length,
        reason: "migrating",
      });
      this.enqueue({ kind: "importing", node: group.address, slots: group.slots });
    }
    if (moved.length > 0) await this.reassign(moved, task.node, "moved");
  }

  private async recoverLostNode(task: ScanTask): Promise<void> {
    this.context.events.emit({
      type: "scan-node-lost",
      node: addressKey(task.node),
      slots: task.slots.length,
    });
    if (task.kind === "importing") {
      // The keys that arrived early live on this node (or its successor): wait for it to answer again.
      await this.awaitReachable(task.node);
      this.enqueue(task);
      return;
    }
    // The same node may serve them again (restarted in time), or its replica once promoted.
    await this.reassign(task.slots, undefined, "node-lost");
  }

  /** Queues the slots for reading on their current masters (never `notOn`, the node that gave them up). */
  private async reassign(
    slots: readonly number[],
    notOn: NodeAddress | undefined,
    reason: "moved" | "node-lost",
  ): Promise<void> {
    for (const slot of slots) {
      const count = (this.reassignments.get(slot) ?? 0) + 1;
      this.reassignments.set(slot, count);
      if (count > MAX_REASSIGNMENTS_PER_SLOT) {
        throw new RedisConnectionError({
          message: `slot ${slot} changed hands ${count} times during the scan; the cluster does not settle`,
          outcome: "rejected",
        });
      }
    }
    for (const group of await this.awaitReachableOwners(slots, notOn)) {
      const owned = this.slotsOwnedBy(group.address);
      // Most of the node's slots: one SCAN is cheaper than reading slot by slot.
      const kind = group.slots.length * 2 >= owned ? "scan" : "slots";
      this.context.events.emit({
        type: "scan-slots-rescanned",
        node: addressKey(group.address),
        slots: group.slots.length,
        reason,
      });
      this.enqueue({ kind, node: group.address, slots: group.slots });
    }
  }

  private slotsOwnedBy(address: NodeAddress): number {
    const map = this.context.topology.map;
    const key = addressKey(address);
    let owned = 0;
    for (let slot = 0; slot < SLOT_COUNT; slot++) if (map.ownerOf(slot)?.key === key) owned++;
    return owned;
  }

  /**
   * Waits (within the retry window) until every slot has a master that answers PING, other than `notOn`
   * (which just said it does not serve them, or died), and groups the slots by that master.
   */
  private async awaitReachableOwners(
    slots: readonly number[],
    notOn: NodeAddress | undefined,
  ): Promise<Array<{ address: NodeAddress; slots: number[] }>> {
    const { topology, retryWindowMs } = this.context;
    const started = Date.now();
    let problem = "";
    for (let attempt = 0; ; attempt++) {
      throwIfAborted(this.signal);
      try {
        await topology.refresh();
      } catch (error) {
        problem = (error as Error).message;
      }
      const groups = new Map<string, { address: NodeAddress; slots: number[] }>();
      let waiting: number | undefined;
      for (const slot of slots) {
        const owner = topology.map.ownerOf(slot);
        if (owner === undefined || (notOn !== undefined && owner.key === addressKey(notOn))) {
          waiting ??= slot;
          continue;
        }
        const group = getOrCreate(groups, owner.key, () => ({
          address: owner.address,
          slots: [] as number[],
        }));
        group.slots.push(slot);
      }
      if (waiting === undefined) {
        const unreachable = await this.firstUnreachable([...groups.values()].map((group) => group.address));
        if (unreachable === undefined) return [...groups.values()];
        problem = `${addressKey(unreachable)} does not answer`;
      } else {
        problem = `slot ${waiting} has no other master yet`;
      }
      if (Date.now() - started >= retryWindowMs) {
        throw new RedisConnectionError({
          message: `the scan cannot cover every slot: after ${retryWindowMs} ms, ${problem}`,
          outcome: "rejected",
        });
      }
      await sleep(backoffDelay(attempt, this.context.backoff), this.signal);
    }
  }

  private async awaitReachable(address: NodeAddress): Promise<void> {
    const started = Date.now();
    for (let attempt = 0; (await this.firstUnreachable([address])) !== undefined; attempt++) {
      if (Date.now() - started >= this.context.retryWindowMs) {
        throw new RedisConnectionError({
          message: `${addressKey(address)} holds keys of a slot in mid-migration and has not answered for ${this.context.retryWindowMs} ms`,
          ...address,
          outcome: "rejected",
        });
      }
      await sleep(backoffDelay(attempt, this.context.backoff), this.signal);
    }
  }

  private async firstUnreachable(addresses: readonly NodeAddress[]): Promise<NodeAddress | undefined> {
    const answers = await Promise.all(
      addresses.map((address) =>
        withTimeout(
          this.context.pool.use(address, (connection) => connection.call("PING")),
          PING_TIMEOUT_MS,
          `PING ${addressKey(address)}`,
        ).then(
          () => true,
          () => false,
        ),
      ),
    );
    const index = answers.indexOf(false);
    return index < 0 ? undefined : addresses[index];
  }
}

/** Errors that mean "this node is gone or not serving right now", as opposed to a bad request. */
function isNodeTrouble(error: unknown): boolean {
  if (RedisConnectionError.isInstance(error) || RedisTimeoutError.isInstance(error)) return true;
  return (
    RedisCommandError.isInstance(error) &&
    (error.redisCode === "LOADING" || error.redisCode === "CLUSTERDOWN" || error.redisCode === "MASTERDOWN")
  );
}
