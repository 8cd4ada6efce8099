import {
  type BatchOptions,
  type BatchReply,
  type Command,
  RedisConnectionError,
  type RedisReply,
} from "@polars-redis/core";
import { throwIfAborted } from "@polars-redis/core/internal";
import type { ClusterEventLog } from "../cluster-events.js";
import { planPerKey } from "../commands/command-plan.js";
import type { ClusterTopology } from "../topology/cluster-topology.js";
import { addressKey, type NodeAddress } from "../topology/node-address.js";
import type { NodePool } from "../topology/node-pool.js";
import { getOrCreate } from "../util/get-or-create.js";
import { backoffDelay, sleep } from "../util/sleep.js";
import { type BatchUnit, createUnit } from "./batch-unit.js";
import { classifyReply, classifyTransaction, type Verdict } from "./classify-reply.js";
import { assemble, type BatchItem, type BatchSegment, planBatch, type RoutedSegment } from "./plan-batch.js";
import type { RedirectPolicy } from "./redirect-policy.js";
import { type ItemTarget, sendToNode } from "./send-to-node.js";

export interface ClusterBatchContext {
  readonly topology: ClusterTopology;
  readonly pool: NodePool;
  readonly policy: RedirectPolicy;
  readonly events: ClusterEventLog;
}

/**
 * Runs a batch on a cluster: commands grouped by master, masters in parallel, the caller's order kept in the
 * answer. Only commands that came back MOVED, ASK, TRYAGAIN, CLUSTERDOWN or "not sent" are driven again;
 * a command whose connection died after it was sent is reported with outcome "unknown", never re-sent.
 */
export async function runClusterBatch(
  context: ClusterBatchContext,
  commands: readonly Command[],
  options: BatchOptions = {},
): Promise<BatchReply[]> {
  const { segments, slotOf } = planBatch(commands);
  const replies: BatchReply[] = new Array(commands.length);
  const target: ItemTarget = { commands, replies };
  for (const segment of segments) {
    throwIfAborted(options.signal);
    if (segment.kind === "fanout") replies[segment.index] = await runFanout(context, segment, options);
    else await driveSegment(context, segment, slotOf, target, options);
  }
  return replies;
}

/**
 * First attempt: every item to the master of its slot, in the caller's order per node. Plain commands whose
 * reply asks for another attempt become units, and the units are driven until they are settled.
 */
async function driveSegment(
  context: ClusterBatchContext,
  segment: RoutedSegment,
  slotOf: Int32Array,
  target: ItemTarget,
  options: BatchOptions,
): Promise<void> {
  const retried: Array<{ index: number; unit: BatchUnit }> = [];
  const units: BatchUnit[] = [];
  const asUnit = (index: number): BatchUnit => {
    const unit = createUnit([target.commands[index]!], slotOf[index]!);
    retried.push({ index, unit });
    return unit;
  };

  const byNode = new Map<string, { address: NodeAddress; items: BatchItem[] }>();
  for (const item of segment.items) {
    const address = typeof item === "number" ? ownerOf(context, slotOf[item]!) : targetOf(context, item);
    if (address === undefined) {
      const unit = typeof item === "number" ? asUnit(item) : item;
      markUnserved(unit);
      units.push(unit);
      continue;
    }
    getOrCreate(byNode, addressKey(address), () => ({ address, items: [] as BatchItem[] })).items.push(item);
  }
  const groups = [...byNode.values()];
  await Promise.all(
    groups.map((group) =>
      sendToNode(context.pool, group.address, group.items, target, context.policy, options),
    ),
  );
  for (const group of groups) {
    for (const item of group.items) {
      if (typeof item !== "number") {
        units.push(item);
        continue;
      }
      const reply = target.replies[item]!;
      if (!(reply instanceof Error) || classifyReply(reply, group.address.host).kind === "done") continue;
      const unit = asUnit(item);
      unit.replies = [reply];
      unit.answeredBy = group.address.host;
      units.push(unit);
    }
  }

  await settleUnits(context, units, target, options);
  for (const { index, unit } of retried) target.replies[index] = unit.replies![0]!;
  assemble(segment.assemblies, target.replies);
}

/**
 * Drives units that have had an attempt until each is settled: a reply or a final error, MOVED/ASK within
 * `maxRedirections`, TRYAGAIN/CLUSTERDOWN/unreachable within `retryWindowMs`.
 */
async function settleUnits(
  context: ClusterBatchContext,
  units: readonly BatchUnit[],
  target: ItemTarget,
  options: BatchOptions,
): Promise<void> {
  const { topology, policy, events } = context;
  let pending = units;
  let waitingSince: number | undefined;
  let waits = 0;
  for (;;) {
    const redirected: BatchUnit[] = [];
    const waiting: BatchUnit[] = [];
    const splitting: Array<{ unit: BatchUnit; perKey: NonNullable<ReturnType<typeof planPerKey>> }> = [];
    let mustRefresh = false;
    for (const unit of pending) {
      unit.askTarget = undefined; // ASK is good for one try only
      const verdict = verdictOf(unit);
      switch (verdict.kind) {
        case "done":
          break;
        case "moved":
        case "ask": {
          if (++unit.redirections > policy.maxRedirections) break; // keeps the MOVED/ASK error
          const address = topology.resolve(verdict.address);
          if (verdict.kind === "moved") {
            topology.map.assign(verdict.slot, address);
            // A keyless command (a module command whose key the table does not know, e.g. FT.SEARCH's index
            // name) follows the slot MOVED names, not the round robin of any master.
            if (unit.slot < 0) unit.movedSlot = verdict.slot;
            mustRefresh = true;
          } else {
            unit.askTarget = address;
          }
          events.emit({ type: verdict.kind, slot: verdict.slot, node: addressKey(address) });
          redirected.push(unit);
          break;
        }
        case "tryagain": {
          // Back to the slot's owner after a pause; it answers ASK again if the keys moved meanwhile.
          events.emit({ type: "tryagain", command: unit.commands[0]![0].toUpperCase() });
          // A multi-key command whose keys are split between the two nodes of a migrating slot would meet
          // TRYAGAIN until the migration ends: its keys go one by one instead, each to where it lives.
          const perKey = unit.isTransaction ? undefined : planPerKey(unit.commands[0]!);
          if (perKey !== undefined) splitting.push({ unit, perKey });
          else waiting.push(unit);
          break;
        }
        case "clusterdown":
          events.emit({ type: "clusterdown", message: verdict.message });
          mustRefresh = true;
          waiting.push(unit);
          break;
        case "not-sent":
          events.emit(
            unit.answeredBy === ""
              ? { type: "clusterdown", message: verdict.message }
              : { type: "node-unreachable", node: unit.answeredBy, message: verdict.message },
          );
          mustRefresh = true;
          waiting.push(unit);
          break;
      }
    }
    if (splitting.length > 0) {
      await Promise.all(
        splitting.map(({ unit, perKey }) => settleKeyByKey(context, unit, perKey, target, options)),
      );
    }
    if (waiting.length > 0) {
      waitingSince ??= Date.now();
      if (Date.now() - waitingSince < policy.retryWindowMs) {
        await sleep(backoffDelay(waits++, policy.backoff), options.signal);
      } else {
        // Out of patience: the waiting commands keep the error of their last attempt.
        waiting.length = 0;
      }
    }
    pending = [...redirected, ...waiting];
    if (pending.length === 0) return;
    if (mustRefresh) await refreshQuietly(context);
    throwIfAborted(options.signal);

    const byNode = new Map<string, { address: NodeAddress; units: BatchUnit[] }>();
    for (const unit of pending) {
      const address = targetOf(context, unit);
      if (address === undefined) markUnserved(unit);
      else
        getOrCreate(byNode, addressKey(address), () => ({ address, units: [] as BatchUnit[] })).units.push(
          unit,
        );
    }
    await Promise.all(
      [...byNode.values()].map((group) =>
        sendToNode(context.pool, group.address, group.units, target, policy, options),
      ),
    );
  }
}

/**
 * Settles a multi-key command key by key (see planPerKey): every part is driven like a command of its own
 * (ASK, MOVED, TRYAGAIN within the window), then the unit's reply is the merge of theirs, or the first error.
 */
async function settleKeyByKey(
  context: ClusterBatchContext,
  unit: BatchUnit,
  perKey: NonNullable<ReturnType<typeof planPerKey>>,
  target: ItemTarget,
  options: BatchOptions,
): Promise<void> {
  const parts = perKey.parts.map((command) => {
    const part = createUnit([command], unit.slot);
    part.redirections = unit.redirections;
    return part;
  });
  const byNode = new Map<string, { address: NodeAddress; units: BatchUnit[] }>();
  for (const part of parts) {
    const address = targetOf(context, part);
    if (address === undefined) markUnserved(part);
    else
      getOrCreate(byNode, addressKey(address), () => ({ address, units: [] as BatchUnit[] })).units.push(
        part,
      );
  }
  await Promise.all(
    [...byNode.values()].map((group) =>
      sendToNode(context.pool, group.address, group.units, target, context.policy, options),
    ),
  );
  await settleUnits(context, parts, target, options);
  const replies = parts.map((part) => part.replies![0]!);
  const failure = replies.find((reply): reply is Error & BatchReply => reply instanceof Error);
  unit.replies = [failure ?? perKey.merge(replies as RedisReply[])];
}

function verdictOf(unit: BatchUnit): Verdict {
  const replies = unit.replies!;
  return unit.isTransaction
    ? classifyTransaction(replies, unit.answeredBy)
    : classifyReply(replies[0]!, unit.answeredBy);
}

function ownerOf(context: ClusterBatchContext, slot: number): NodeAddress | undefined {
  const map = context.topology.map;
  return (slot < 0 ? map.anyMaster() : map.ownerOf(slot))?.address;
}

function targetOf(context: ClusterBatchContext, unit: BatchUnit): NodeAddress | undefined {
  return unit.askTarget ?? ownerOf(context, unit.slot < 0 ? (unit.movedSlot ?? -1) : unit.slot);
}

/** No master serves the slot right now (mid-failover): nothing is sent, the unit waits for the map to heal. */
function markUnserved(unit: BatchUnit): void {
  unit.replies = unit.commands.map(
    ([name]) =>
      new RedisConnectionError({
        message:
          unit.slot < 0
            ? `${name.toUpperCase()} was not sent: no master is known (the cluster is down)`
            : `${name.toUpperCase()} was not sent: no master serves slot ${unit.slot} (failover in progress or cluster down)`,
        outcome: "rejected",
        command: name,
      }),
  );
  unit.answeredBy = "";
}

async function refreshQuietly(context: ClusterBatchContext): Promise<void> {
  try {
    await context.topology.refresh();
  } catch {
    // No node answered; the next attempt finds out again, within the retry window.
  }
}

/**
 * A keyspace-wide command on every master, merged. Re-sent as a whole while a master cannot be reached
 * (within the retry window): these commands are idempotent or read-only.
 */
async function runFanout(
  context: ClusterBatchContext,
  segment: Extract<BatchSegment, { kind: "fanout" }>,
  options: BatchOptions,
): Promise<BatchReply> {
  const { policy } = context;
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(options.signal);
    const masters = context.topology.map.masters;
    const replies: BatchReply[] = new Array(masters.length);
    await Promise.all(
      masters.map((master, position) => {
        const unit = createUnit([segment.command], -1);
        return sendToNode(
          context.pool,
          master.address,
          [unit],
          { commands: [], replies: [] },
          policy,
          options,
        ).then(() => {
          replies[position] = unit.replies![0]!;
        });
      }),
    );
    const failure = replies.find((reply) => reply instanceof Error);
    if (failure === undefined) return segment.merge(replies as RedisReply[]);
    const verdict = classifyReply(failure, "");
    const retry = verdict.kind === "not-sent" || verdict.kind === "clusterdown";
    if (!retry || masters.length === 0 || Date.now() - started >= policy.retryWindowMs) return failure;
    await sleep(backoffDelay(attempt, policy.backoff), options.signal);
    await refreshQuietly(context);
  }
}
