import {
  type BatchOptions,
  type BatchReply,
  type Command,
  RedisConnectionError,
  type RedisReply,
  throwIfAborted,
} from "@polars-redis/core";
import type { ClusterEventLog } from "../cluster-events.js";
import type { ClusterTopology } from "../topology/cluster-topology.js";
import { addressKey, type NodeAddress } from "../topology/node-address.js";
import type { NodePool } from "../topology/node-pool.js";
import { getOrCreate } from "../util/get-or-create.js";
import { backoffDelay, sleep } from "../util/sleep.js";
import type { BatchUnit } from "./batch-unit.js";
import { classifyReply, classifyTransaction, type Verdict } from "./classify-reply.js";
import { assemble, type BatchSegment, planBatch } from "./plan-batch.js";
import type { RedirectPolicy } from "./redirect-policy.js";
import { sendToNode } from "./send-to-node.js";

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
  const segments = planBatch(commands);
  const replies: BatchReply[] = new Array(commands.length);
  for (const segment of segments) {
    throwIfAborted(options.signal);
    if (segment.kind === "fanout") replies[segment.index] = await runFanout(context, segment, options);
    else {
      await driveUnits(context, segment.units, options);
      assemble(segment.assemblies, replies);
    }
  }
  return replies;
}

async function driveUnits(
  context: ClusterBatchContext,
  units: readonly BatchUnit[],
  options: BatchOptions,
): Promise<void> {
  const { topology, policy, events } = context;
  let pending = units;
  let waitingSince: number | undefined;
  let waits = 0;
  while (pending.length > 0) {
    throwIfAborted(options.signal);
    const byNode = new Map<string, { address: NodeAddress; units: BatchUnit[] }>();
    for (const unit of pending) {
      const address = targetOf(context, unit);
      if (address === undefined) {
        // No master serves the slot right now (mid-failover): nothing is sent, the unit waits below.
        unit.replies = unit.commands.map((command) => unservedSlotError(unit.slot, command));
        unit.answeredBy = "";
        continue;
      }
      const key = addressKey(address);
      const group = getOrCreate(byNode, key, () => ({ address, units: [] as BatchUnit[] }));
      group.units.push(unit);
    }
    await Promise.all(
      [...byNode.values()].map((group) =>
        sendToNode(context.pool, group.address, group.units, policy, options),
      ),
    );

    const redirected: BatchUnit[] = [];
    const waiting: BatchUnit[] = [];
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
            mustRefresh = true;
          } else {
            unit.askTarget = address;
          }
          events.emit({ type: verdict.kind, slot: verdict.slot, node: addressKey(address) });
          redirected.push(unit);
          break;
        }
        case "tryagain":
          // Back to the slot's owner after a pause; it answers ASK again if the keys moved meanwhile.
          events.emit({ type: "tryagain", command: unit.commands[0]![0].toUpperCase() });
          waiting.push(unit);
          break;
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

    if (waiting.length > 0) {
      waitingSince ??= Date.now();
      if (Date.now() - waitingSince < policy.retryWindowMs) {
        await sleep(backoffDelay(waits++, policy.retryDelayMs, policy.maxRetryDelayMs), options.signal);
      } else {
        // Out of patience: the waiting commands keep the error of their last attempt.
        waiting.length = 0;
      }
    }
    if (mustRefresh) await refreshQuietly(context);
    pending = [...redirected, ...waiting];
  }
}

function verdictOf(unit: BatchUnit): Verdict {
  const replies = unit.replies!;
  return unit.isTransaction
    ? classifyTransaction(replies, unit.answeredBy)
    : classifyReply(replies[0]!, unit.answeredBy);
}

function targetOf(context: ClusterBatchContext, unit: BatchUnit): NodeAddress | undefined {
  if (unit.askTarget !== undefined) return unit.askTarget;
  const map = context.topology.map;
  return (unit.slot < 0 ? map.anyMaster() : map.ownerOf(unit.slot))?.address;
}

function unservedSlotError(slot: number, command: Command): RedisConnectionError {
  return new RedisConnectionError({
    message:
      slot < 0
        ? `${command[0].toUpperCase()} was not sent: no master is known (the cluster is down)`
        : `${command[0].toUpperCase()} was not sent: no master serves slot ${slot} (failover in progress or cluster down)`,
    outcome: "rejected",
    command: command[0],
  });
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
    const replies = await Promise.all(
      masters.map((master) =>
        sendToNode(
          context.pool,
          master.address,
          [{ ...unitFor(segment.command), slot: -1 }],
          policy,
          options,
        ).then((units) => units[0]!.replies![0]!),
      ),
    );
    const failure = replies.find((reply) => reply instanceof Error);
    if (failure === undefined) return segment.merge(replies as RedisReply[]);
    const verdict = classifyReply(failure, "");
    const retry = verdict.kind === "not-sent" || verdict.kind === "clusterdown";
    if (!retry || masters.length === 0 || Date.now() - started >= policy.retryWindowMs) return failure;
    await sleep(backoffDelay(attempt, policy.retryDelayMs, policy.maxRetryDelayMs), options.signal);
    await refreshQuietly(context);
  }
}

function unitFor(command: Command): BatchUnit {
  return {
    commands: [command],
    slot: -1,
    isTransaction: false,
    askTarget: undefined,
    redirections: 0,
    replies: undefined,
    answeredBy: "",
  };
}
