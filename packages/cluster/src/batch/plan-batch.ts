import { type BatchReply, type Command, InvalidArgumentError, type RedisReply } from "@polars-redis/core";
import { keyIndexes } from "../commands/command-keys.js";
import { planCommand } from "../commands/command-plan.js";
import { keySlot } from "../commands/key-slot.js";
import { type BatchUnit, createUnit } from "./batch-unit.js";

/** How the replies of some units become the caller's entries, starting at `firstIndex`. */
export type Assembly =
  | { readonly kind: "direct"; readonly firstIndex: number; readonly unit: BatchUnit }
  | {
      readonly kind: "merged";
      readonly firstIndex: number;
      readonly units: readonly BatchUnit[];
      readonly merge: (replies: readonly RedisReply[]) => RedisReply;
    };

/**
 * What a node is sent, in the caller's order: the index of a caller's command that goes out as is (most
 * commands: no object is made for them unless they need a second attempt), or a unit (a part of a split
 * command, a MULTI ... EXEC group, or a command being re-driven).
 */
export type BatchItem = number | BatchUnit;

export interface RoutedSegment {
  readonly kind: "routed";
  readonly items: BatchItem[];
  /** How split commands and transactions put their units' replies back. */
  readonly assemblies: Assembly[];
}

/** A run of the caller's commands that can go out together, or one keyspace-wide command. */
export type BatchSegment =
  | RoutedSegment
  | {
      readonly kind: "fanout";
      readonly index: number;
      readonly command: Command;
      readonly merge: (replies: readonly RedisReply[]) => RedisReply;
    };

const REFUSED_IN_BATCH = new Set([
  "scan",
  "select",
  "subscribe",
  "psubscribe",
  "ssubscribe",
  "monitor",
  "quit",
]);

/**
 * Cuts the caller's commands into segments. A keyspace-wide command (FLUSHALL, DBSIZE, ...) is a segment of
 * its own, so it runs after everything before it and before everything after it, as on one server.
 * Bad input (an unterminated MULTI, SCAN, SELECT) is refused before anything is sent.
 */
export function planBatch(commands: readonly Command[]): { segments: BatchSegment[]; slotOf: Int32Array } {
  const segments: BatchSegment[] = [];
  /** The slot of each caller's command that is sent as is (-1: no key). */
  const slotOf = new Int32Array(commands.length);
  let routed: RoutedSegment | undefined;
  for (let index = 0; index < commands.length; index++) {
    const command = commands[index]!;
    const lowerName = command[0].toLowerCase();
    if (REFUSED_IN_BATCH.has(lowerName)) {
      throw new InvalidArgumentError(
        "commands",
        `${command[0].toUpperCase()} at index ${index} cannot run through a cluster connection's batch or call` +
          (lowerName === "scan" ? " (use scanKeys, which covers every master)" : ""),
      );
    }
    if (lowerName === "multi") {
      const end = commands.findIndex((candidate, at) => at > index && /^(exec|discard)$/i.test(candidate[0]));
      if (end < 0)
        throw new InvalidArgumentError("commands", `MULTI at index ${index} has no EXEC or DISCARD`);
      const group = commands.slice(index, end + 1);
      const unit = createUnit(group, transactionSlot(group), true);
      routed ??= { kind: "routed", items: [], assemblies: [] };
      routed.items.push(unit);
      routed.assemblies.push({ kind: "direct", firstIndex: index, unit });
      index = end;
      continue;
    }
    const plan = planCommand(command);
    if (plan.kind === "fanout") {
      if (routed !== undefined) segments.push(routed);
      routed = undefined;
      segments.push({ kind: "fanout", index, command, merge: plan.merge });
      continue;
    }
    routed ??= { kind: "routed", items: [], assemblies: [] };
    if (plan.kind === "single") {
      slotOf[index] = plan.slot;
      routed.items.push(index);
    } else {
      const units = plan.parts.map((part) => createUnit([part.command], part.slot));
      routed.items.push(...units);
      routed.assemblies.push({ kind: "merged", firstIndex: index, units, merge: plan.merge });
    }
  }
  if (routed !== undefined) segments.push(routed);
  return { segments, slotOf };
}

/** A transaction goes to the master of its first key; the server checks that all its keys share the slot. */
function transactionSlot(group: readonly Command[]): number {
  for (const [name, ...args] of group) {
    const indexes = keyIndexes(name.toLowerCase(), args);
    if (indexes.length > 0) return keySlot(args[indexes[0]!]!);
  }
  return -1;
}

/** Writes the units' final replies into the caller's positions. */
export function assemble(assemblies: readonly Assembly[], into: BatchReply[]): void {
  for (const assembly of assemblies) {
    if (assembly.kind === "direct") {
      const replies = assembly.unit.replies!;
      for (let i = 0; i < replies.length; i++) into[assembly.firstIndex + i] = replies[i]!;
      continue;
    }
    const replies = assembly.units.map((unit) => unit.replies![0]!);
    // One failed part fails the caller's command; the error says which node and why.
    const failure = replies.find((reply): reply is Error & BatchReply => reply instanceof Error);
    into[assembly.firstIndex] = failure ?? assembly.merge(replies as RedisReply[]);
  }
}
