import {
  type BatchReply,
  type Command,
  isCommandError,
  type KeyError,
  type RedisArgument,
  RedisCommandError,
  type RedisConnection,
} from "@polars-redis/core";
import { keySlot } from "@polars-redis/core/internal";
import { WriteInterruptedError } from "../errors/write-interrupted-error.js";
import type { IfExists } from "../options/write-options.js";
import { PUBLISH_STAGED_SCRIPT } from "../scripts/publish-staged-script.js";
import { LuaScript } from "./lua-script.js";
import { PayloadWriter } from "./payload-writer.js";
import { stagingKeyFor } from "./same-slot-key.js";
import type { ScriptUnit } from "./script-unit.js";
import type { KeyStatus, WritePlan } from "./write-plan.js";

/**
 * Keys combined into one script call on a single server: enough to amortise the per-command cost, few enough
 * that the server's other clients wait a fraction of a millisecond at most.
 */
const KEYS_PER_CALL = 100;
/**
 * Keys per script call on a cluster: one. Each key's write is then a unit of its own that the cluster batch
 * redirects whole (MOVED, ASK with ASKING) or re-sends (TRYAGAIN, CLUSTERDOWN). Several keys of a slot in mid-
 * migration in one call would be refused together (TRYAGAIN while some are moved and some not) until the
 * migration ends; and keys of one batch rarely share a slot unless they share a hash tag.
 */
const KEYS_PER_CLUSTER_CALL = 1;
/** Payload arguments per script call; a key with more is sent in several parts. */
export const ARGS_PER_CALL = 16_000;
/** A staged value is published within one write; if the writer dies first, the leftover expires. */
const STAGING_TTL_MS = 3_600_000;

export interface ScriptPlanOptions {
  /**
   * Called as `EVALSHA sha numkeys key... mode ...header payload`, where payload is one MessagePack array of,
   * per key: ttl in ms, n, and the key's n payload arguments.
   */
  readonly script: LuaScript;
  readonly mode: IfExists;
  /** Arguments after the mode and before the payload. */
  readonly header?: readonly RedisArgument[];
  /** The Redis command the script runs per key, named in errors: "HSET". */
  readonly command: string;
  readonly description: string;
  readonly idempotent: boolean;
  /**
   * A second key per unit, declared right after it in KEYS (so the script sees key 1, companion 1, key 2, ...):
   * e.g. the set of row ids a stream has seen. It must live in the key's slot. "append" mode only.
   */
  readonly companionKey?: (key: string) => string;
}

/**
 * Writes units through one Lua script, many keys per call (one per call on a cluster, so that each key is
 * redirected and retried as a unit). Scripts make "replace" (DEL + write + EXPIRE) and
 * "fail" (EXISTS check + write) atomic per key, report an outcome per key, route by key on a cluster (keys of
 * one call share a slot there), and cost the server less than MULTI/EXEC. Scripts declare `#!lua`, so a server
 * over `maxmemory` rejects a call before it writes anything (OOM, retryable), never half-way through.
 *
 * A key too large for one call is sent in parts. In "append" mode the parts simply follow each other; in
 * "replace" and "fail" mode they are staged under a temporary key in the same slot and then published with
 * one atomic RENAME, so no reader ever sees a half-written key.
 */
export class ScriptPlan implements WritePlan<ScriptUnit> {
  readonly description: string;
  readonly idempotent: boolean;
  private readonly payload = new PayloadWriter();

  constructor(private readonly options: ScriptPlanOptions) {
    this.description = options.description;
    this.idempotent = options.idempotent;
  }

  async send(
    connection: RedisConnection,
    units: readonly ScriptUnit[],
    signal?: AbortSignal,
  ): Promise<KeyStatus[]> {
    const statuses: (KeyStatus | undefined)[] = new Array(units.length);
    const calls: ScriptCall[] = [];
    const staged: StagedUnit[] = [];
    const cluster = connection.kind === "cluster";
    const keysPerCall = cluster ? KEYS_PER_CLUSTER_CALL : KEYS_PER_CALL;
    const groups = new Map<number, { units: number[]; args: number }>();
    const flush = (slot: number): void => {
      const group = groups.get(slot);
      if (group && group.units.length > 0) calls.push(this.groupCall(units, group.units));
      groups.delete(slot);
    };

    for (let index = 0; index < units.length; index++) {
      const unit = units[index]!;
      if (unit.partCount === 0) {
        statuses[index] = "skipped";
      } else if (unit.partCount === 1) {
        const slot = cluster ? keySlot(unit.key) : 0;
        let group = groups.get(slot);
        if (group === undefined) {
          group = { units: [], args: 0 };
          groups.set(slot, group);
        }
        group.units.push(index);
        group.args += unit.itemCount(0) + 3;
        if (group.units.length >= keysPerCall || group.args >= ARGS_PER_CALL) flush(slot);
      } else if (this.options.mode === "append") {
        for (let part = 0; part < unit.partCount; part++) {
          calls.push(this.partCall(unit, part, unit.key, "append", unit.ttl, index));
        }
      } else {
        const stagingKey = stagingKeyFor(unit.key, cluster);
        if (stagingKey === undefined) {
          statuses[index] = new RedisCommandError({
            message: `ERR key ${JSON.stringify(unit.key)} is too large to write in one call, and it has no hash tag for a same-slot staging key (it contains "}")`,
            command: this.options.command,
          });
          continue;
        }
        staged.push({ index, stagingKey });
        for (let part = 0; part < unit.partCount; part++) {
          const mode = part === 0 ? "replace" : "append";
          calls.push(this.partCall(unit, part, stagingKey, mode, STAGING_TTL_MS, index));
        }
      }
    }
    for (const slot of [...groups.keys()]) flush(slot);

    const replies = await runScripts(
      connection,
      calls.map((call) => call.command),
    );
    calls.forEach((call, callIndex) => {
      const reply = replies[callIndex]!;
      call.units.forEach((unitIndex, position) => {
        const status = this.statusOf(reply, position, call.units.length);
        // A key sent in several parts is written only if every part is; the first failure is its status.
        const previous = statuses[unitIndex];
        if (previous === undefined || previous === "written") statuses[unitIndex] = status;
      });
    });

    if (staged.length > 0) await this.publish(connection, units, staged, statuses, signal);
    return statuses.map(
      (status) =>
        status ??
        new RedisCommandError({
          message: "ERR internal: no outcome for this key",
          command: this.options.command,
        }),
    );
  }

  /** Renames every fully staged value onto its key (atomically, honouring "fail"); drops the others. */
  private async publish(
    connection: RedisConnection,
    units: readonly ScriptUnit[],
    staged: readonly StagedUnit[],
    statuses: (KeyStatus | undefined)[],
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const ready = staged.filter(({ index }) => statuses[index] === "written");
    const failed = staged.filter((entry) => !ready.includes(entry));
    if (failed.length > 0) {
      // Best effort: the leftovers expire anyway.
      void connection
        .batch(failed.map(({ stagingKey }) => ["DEL", stagingKey] as const))
        .catch(() => undefined);
    }
    if (ready.length === 0) return;
    if (signal?.aborted) {
      for (const { index } of ready)
        statuses[index] = new WriteInterruptedError({ outcome: "rejected", retryable: true });
      return;
    }
    const commands: Command[] = ready.map(({ index, stagingKey }) => [
      "EVALSHA",
      PUBLISH_STAGED_SCRIPT.sha,
      2,
      units[index]!.key,
      stagingKey,
      this.options.mode,
      units[index]!.ttl,
    ]);
    const replies = await runScripts(connection, commands);
    ready.forEach(({ index }, position) => {
      statuses[index] = this.statusOf(replies[position]!, 0, 1, true);
    });
  }

  private groupCall(units: readonly ScriptUnit[], group: readonly number[]): ScriptCall {
    const { script, mode, header = [] } = this.options;
    const { companionKey } = this.options;
    const command: RedisArgument[] = ["EVALSHA", script.sha, companionKey ? group.length * 2 : group.length];
    for (const index of group) {
      command.push(units[index]!.key);
      if (companionKey) command.push(companionKey(units[index]!.key));
    }
    command.push(mode, ...header);
    for (const index of group) {
      const unit = units[index]!;
      this.payload.number(unit.ttl);
      this.payload.number(unit.itemCount(0));
      unit.writePart(0, this.payload);
    }
    command.push(this.payload.finish());
    return { command: command as unknown as Command, units: group };
  }

  private partCall(
    unit: ScriptUnit,
    part: number,
    key: string,
    mode: IfExists,
    ttl: number,
    unitIndex: number,
  ): ScriptCall {
    const { script, header = [] } = this.options;
    this.payload.number(ttl);
    this.payload.number(unit.itemCount(part));
    unit.writePart(part, this.payload);
    const { companionKey } = this.options;
    const keys = companionKey ? [key, companionKey(key)] : [key];
    const command: Command = [
      "EVALSHA",
      script.sha,
      keys.length,
      ...keys,
      mode,
      ...header,
      this.payload.finish(),
    ];
    return { command, units: [unitIndex] };
  }

  /**
   * Reads one key's outcome from a script reply: per key 1 written, 0 skipped, a string is a Redis error; a
   * bare integer equal to the number of keys says every key was written.
   */
  private statusOf(reply: BatchReply, position: number, keys: number, scalar = false): KeyStatus {
    if (isCommandError(reply)) return reply;
    if (!scalar && reply === keys) return "written";
    const value = scalar
      ? reply
      : Array.isArray(reply) && reply.length === keys
        ? reply[position]
        : undefined;
    if (value === 1) return "written";
    if (value === 0) return "skipped";
    if (typeof value === "string")
      return new RedisCommandError({ message: value, command: this.options.command });
    return new RedisCommandError({
      message: `ERR unexpected script reply ${JSON.stringify(reply)?.slice(0, 200)}`,
      command: this.options.command,
    }) satisfies KeyError;
  }
}

interface ScriptCall {
  command: Command;
  /** Indexes of the units this call writes, in the order of its keys. */
  units: readonly number[];
}

interface StagedUnit {
  index: number;
  stagingKey: string;
}

/**
 * Sends EVALSHA commands; those a server answers with NOSCRIPT (it has not seen the script yet, e.g. after a
 * restart or on a new cluster node) are sent once more as EVAL with the body, which also caches it there.
 */
export async function runScripts(
  connection: RedisConnection,
  commands: readonly Command[],
): Promise<BatchReply[]> {
  const replies = await connection.batch(commands);
  const missing: number[] = [];
  replies.forEach((reply, index) => {
    if (isCommandError(reply) && RedisCommandError.isInstance(reply) && reply.redisCode === "NOSCRIPT") {
      missing.push(index);
    }
  });
  if (missing.length === 0) return replies;
  const retried = await connection.batch(
    missing.map((index) => {
      const [, sha, ...rest] = commands[index]!;
      return ["EVAL", scriptBodyOf(String(sha)), ...rest] as Command;
    }),
  );
  missing.forEach((index, position) => {
    replies[index] = retried[position]!;
  });
  return replies;
}

function scriptBodyOf(sha: string): string {
  const body = LuaScript.sourceOf(sha);
  if (body === undefined) throw new Error(`no script known for sha ${sha}`);
  return body;
}
