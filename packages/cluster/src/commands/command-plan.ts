import type { Command, RedisArgument, RedisReply } from "@polars-redis/core";
import { keyIndexes } from "./command-keys.js";
import { keySlot } from "./key-slot.js";

/** One command as sent to one node. `slot` is -1 for a command without keys (it may go to any master). */
export interface RoutedPart {
  readonly command: Command;
  readonly slot: number;
}

/**
 * How one of the caller's commands runs on a cluster:
 * - "single": as is, on the master of its slot (its keys share one slot, or it has none);
 * - "split": a multi-key command whose keys span slots, cut into one command per slot and reassembled, so
 *   the library itself never causes CROSSSLOT;
 * - "fanout": a command about the whole keyspace (DBSIZE, FLUSHALL, SCRIPT LOAD, ...), sent to every master.
 */
export type CommandPlan =
  | { readonly kind: "single"; readonly slot: number }
  | {
      readonly kind: "split";
      readonly parts: readonly RoutedPart[];
      readonly merge: (replies: readonly RedisReply[]) => RedisReply;
    }
  | { readonly kind: "fanout"; readonly merge: (replies: readonly RedisReply[]) => RedisReply };

interface SplitRule {
  /** Arguments per key group: MGET 1 (key), MSET 2 (key value), TS.MADD 3 (key timestamp value). */
  readonly groupSize: number;
  /** Arguments after the groups that every part repeats (the path of JSON.MGET). */
  readonly trailing: number;
  /** positions: one reply entry per group, put back in the caller's order; sum: add integers; ok: "OK". */
  readonly merge: "positions" | "sum" | "ok";
}

const SPLIT_RULES: ReadonlyMap<string, SplitRule> = new Map([
  ["mget", { groupSize: 1, trailing: 0, merge: "positions" }],
  ["del", { groupSize: 1, trailing: 0, merge: "sum" }],
  ["unlink", { groupSize: 1, trailing: 0, merge: "sum" }],
  ["exists", { groupSize: 1, trailing: 0, merge: "sum" }],
  ["touch", { groupSize: 1, trailing: 0, merge: "sum" }],
  ["mset", { groupSize: 2, trailing: 0, merge: "ok" }],
  ["json.mget", { groupSize: 1, trailing: 1, merge: "positions" }],
  ["json.mset", { groupSize: 3, trailing: 0, merge: "ok" }],
  ["ts.madd", { groupSize: 3, trailing: 0, merge: "positions" }],
] as const);

type FanoutMerge = "first" | "sum" | "concat" | "all-true";

/** Keyspace-wide commands, by name or "name subcommand". Each master answers for its own keys. */
const FANOUT_RULES: ReadonlyMap<string, FanoutMerge> = new Map<string, FanoutMerge>([
  ["flushall", "first"],
  ["flushdb", "first"],
  ["dbsize", "sum"],
  ["keys", "concat"],
  ["script load", "first"],
  ["script flush", "first"],
  ["script exists", "all-true"],
  ["function load", "first"],
  ["function delete", "first"],
  ["function flush", "first"],
  ["function restore", "first"],
  // RedisTimeSeries filters by label on each shard; the shards' answers are concatenated.
  ["ts.queryindex", "concat"],
  ["ts.mget", "concat"],
  ["ts.mrange", "concat"],
  ["ts.mrevrange", "concat"],
]);

/** How a command name is routed, decided once per name (planning runs for every command of every batch). */
type NameRoute =
  | { readonly kind: "first-key" }
  | { readonly kind: "split"; readonly rule: SplitRule }
  | { readonly kind: "fanout"; readonly merge: (replies: readonly RedisReply[]) => RedisReply }
  /** SCRIPT, FUNCTION: fanned out or not depending on the subcommand. */
  | { readonly kind: "by-subcommand" }
  | { readonly kind: "look-up-keys"; readonly lowerName: string };

const ROUTE_BY_NAME = new Map<string, NameRoute>();
const SUBCOMMAND_FANOUT = new Set(
  [...FANOUT_RULES.keys()].filter((key) => key.includes(" ")).map((key) => key.split(" ")[0]!),
);

function routeOf(name: string): NameRoute {
  let route = ROUTE_BY_NAME.get(name);
  if (route === undefined) {
    const lowerName = name.toLowerCase();
    const fanout = FANOUT_RULES.get(lowerName);
    const split = SPLIT_RULES.get(lowerName);
    if (fanout !== undefined) route = { kind: "fanout", merge: fanoutMerger(fanout) };
    else if (split !== undefined) route = { kind: "split", rule: split };
    else if (SUBCOMMAND_FANOUT.has(lowerName)) route = { kind: "by-subcommand" };
    else if (firstArgumentIsAlwaysTheKey(lowerName)) route = { kind: "first-key" };
    else route = { kind: "look-up-keys", lowerName };
    ROUTE_BY_NAME.set(name, route);
  }
  return route;
}

/** True when the command's first key is its first argument whatever the other arguments are (GET, HSET, ...). */
function firstArgumentIsAlwaysTheKey(lowerName: string): boolean {
  const probe = ["k0", "k1", "k2", "k3", "k4"];
  for (let length = 1; length <= probe.length; length++) {
    const indexes = keyIndexes(lowerName, probe.slice(0, length));
    if (indexes.length !== 1 || indexes[0] !== 0) return false;
  }
  return true;
}

/** True when the command's first argument is its (only routing) key: GET, HGETALL, HMGET, XRANGE, ... */
export function isFirstKeyCommand(name: string): boolean {
  return routeOf(name).kind === "first-key";
}

/**
 * The slot one command must go to when it cannot be split or fanned out (a raw byte stream): its key's slot,
 * the first part's for a multi-key command (the server checks the rest), -1 without keys.
 */
export function slotOfUnsplitCommand(command: Command): number {
  const plan = planCommand(command);
  if (plan.kind === "single") return plan.slot;
  if (plan.kind === "split") return plan.parts[0]!.slot;
  return -1;
}

export function planCommand(command: Command): CommandPlan {
  const route = routeOf(command[0]);
  switch (route.kind) {
    case "first-key":
      return { kind: "single", slot: command.length > 1 ? keySlot(command[1]!) : -1 };
    case "split":
      return planSplit(command[0], command.slice(1), route.rule);
    case "fanout":
      return { kind: "fanout", merge: route.merge };
    case "by-subcommand": {
      const rule = FANOUT_RULES.get(`${command[0].toLowerCase()} ${String(command[1] ?? "").toLowerCase()}`);
      if (rule !== undefined) return { kind: "fanout", merge: fanoutMerger(rule) };
      return { kind: "single", slot: -1 };
    }
    case "look-up-keys": {
      const args = command.slice(1);
      const indexes = keyIndexes(route.lowerName, args);
      return { kind: "single", slot: indexes.length === 0 ? -1 : keySlot(args[indexes[0]!]!) };
    }
  }
}

/**
 * A splittable multi-key command (MGET, DEL, EXISTS, MSET, JSON.MGET, TS.MADD, ...) cut into one command per key
 * group, with the merge that rebuilds its reply; undefined for other commands and for a single group. For a slot
 * in mid-migration whose keys are split between the two nodes (TRYAGAIN): each key alone is then served where it
 * lives (its own ASK).
 */
export function planPerKey(
  command: Command,
):
  | { readonly parts: readonly Command[]; readonly merge: (replies: readonly RedisReply[]) => RedisReply }
  | undefined {
  const [name, ...args] = command;
  const route = routeOf(name);
  if (route.kind !== "split") return undefined;
  const { rule } = route;
  const groupArgs = args.length - rule.trailing;
  if (groupArgs <= rule.groupSize || groupArgs % rule.groupSize !== 0) return undefined;
  const trailing = args.slice(groupArgs);
  const groupCount = groupArgs / rule.groupSize;
  const parts: Command[] = [];
  const positions: number[][] = [];
  for (let group = 0; group < groupCount; group++) {
    const start = group * rule.groupSize;
    parts.push([name, ...args.slice(start, start + rule.groupSize), ...trailing]);
    positions.push([group]);
  }
  return { parts, merge: splitMerger(rule.merge, positions, groupCount) };
}

function planSplit(name: string, args: readonly RedisArgument[], rule: SplitRule): CommandPlan {
  const groupArgs = args.length - rule.trailing;
  if (groupArgs <= 0 || groupArgs % rule.groupSize !== 0) {
    // Malformed: send as is and let the server explain the arity error.
    return { kind: "single", slot: args.length > 0 ? keySlot(args[0]!) : -1 };
  }
  const trailing = args.slice(groupArgs);
  const groupsBySlot = new Map<number, number[]>();
  for (let group = 0; group < groupArgs / rule.groupSize; group++) {
    const slot = keySlot(args[group * rule.groupSize]!);
    const groups = groupsBySlot.get(slot);
    if (groups === undefined) groupsBySlot.set(slot, [group]);
    else groups.push(group);
  }
  if (groupsBySlot.size === 1) return { kind: "single", slot: groupsBySlot.keys().next().value! };

  const parts: RoutedPart[] = [];
  const positions: number[][] = [];
  for (const [slot, groups] of groupsBySlot) {
    const partArgs: RedisArgument[] = [];
    for (const group of groups) {
      for (let i = 0; i < rule.groupSize; i++) partArgs.push(args[group * rule.groupSize + i]!);
    }
    parts.push({ command: [name, ...partArgs, ...trailing], slot });
    positions.push(groups);
  }
  const groupCount = groupArgs / rule.groupSize;
  return { kind: "split", parts, merge: splitMerger(rule.merge, positions, groupCount) };
}

function splitMerger(
  merge: SplitRule["merge"],
  positions: readonly number[][],
  groupCount: number,
): (replies: readonly RedisReply[]) => RedisReply {
  switch (merge) {
    case "sum":
      return (replies) => replies.reduce<number>((total, reply) => total + Number(reply), 0);
    case "ok":
      return (replies) => replies[0] ?? "OK";
    case "positions":
      return (replies) => {
        const result: RedisReply[] = new Array(groupCount);
        replies.forEach((reply, part) => {
          const entries = Array.isArray(reply) ? reply : [];
          positions[part]!.forEach((group, i) => {
            result[group] = entries[i] ?? null;
          });
        });
        return result;
      };
  }
}

function fanoutMerger(merge: FanoutMerge): (replies: readonly RedisReply[]) => RedisReply {
  switch (merge) {
    case "first":
      return (replies) => replies[0] ?? null;
    case "sum":
      return (replies) => replies.reduce<number>((total, reply) => total + Number(reply), 0);
    case "concat":
      return (replies) => replies.flatMap((reply) => (Array.isArray(reply) ? reply : [reply]));
    case "all-true":
      // SCRIPT EXISTS: a script exists for the cluster only if every master has it.
      return (replies) => {
        const first = (replies[0] as RedisReply[] | undefined) ?? [];
        return first.map((_, i) =>
          replies.every((reply) => Array.isArray(reply) && Number(reply[i]) === 1) ? 1 : 0,
        );
      };
  }
}
