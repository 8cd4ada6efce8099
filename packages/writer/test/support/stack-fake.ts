import { createHash } from "node:crypto";
import {
  type BatchReply,
  type Command,
  type RedisArgument,
  RedisCommandError,
  type RedisConnection,
  type RedisReply,
} from "@polars-redis/core";
import { decodeMsgpack } from "./msgpack.js";

/**
 * A RedisConnection for the module commands no server here can answer (RedisJSON, RedisTimeSeries). It keeps a
 * small in-memory model and answers with the reply shapes of the official command reference:
 * - JSON.SET key $ value [NX|XX]: "OK", or nil when NX/XX is not met; WRONGTYPE on a key of another type.
 * - JSON.MERGE key $ value: "OK" (RFC 7396 merge; creates a missing key at "$").
 * - TS.CREATE key [DUPLICATE_POLICY p] [RETENTION ms] [LABELS l v ...]: "OK", or "TSDB: key already exists".
 * - TS.MADD {key timestamp value}...: an array with, per sample, its timestamp or an error for that sample
 *   ("TSDB: the key does not exist", "TSDB: Error at upsert, update is not supported when DUPLICATE_POLICY is
 *   set to BLOCK mode").
 * - EVALSHA answers NOSCRIPT until the script was sent with EVAL; EVAL runs `scripts` (a model of the Lua).
 * Every command is recorded in `commands`.
 */
export class StackFake implements RedisConnection {
  readonly kind = "standalone" as const;
  /** Every command, arguments as text; a script's MessagePack payload decoded to an array. */
  readonly commands: (string | unknown[])[][] = [];
  /** COMMAND INFO questions (the writers ask once per connection whether the module is loaded). */
  readonly introspection: (string | unknown[])[][] = [];
  readonly json = new Map<string, unknown>();
  readonly series = new Map<string, TimeSeries>();
  readonly strings = new Map<string, string>();
  readonly expiries = new Map<string, number>();
  /** Scripts the "server" has cached (sent once with EVAL), by SHA1. */
  private readonly knownScripts = new Map<string, ScriptModel>();

  constructor(private readonly scripts: readonly ScriptModel[] = []) {}

  async call(command: string, ...args: RedisArgument[]): Promise<RedisReply> {
    const [reply] = await this.batch([[command, ...args]]);
    if (reply instanceof Error) throw reply;
    return reply as RedisReply;
  }

  async callBuffer(command: string, ...args: RedisArgument[]): Promise<RedisReply> {
    return this.call(command, ...args);
  }

  async batch(commands: readonly Command[]): Promise<BatchReply[]> {
    return commands.map((command) => {
      const recorded = command.map((part) =>
        Buffer.isBuffer(part) ? (decodeMsgpack(part) as unknown[]) : String(part),
      );
      const [name, ...args] = recorded as [string, ...string[]];
      // The writers' one-time module check (COMMAND INFO JSON.SET): answered as a server with the modules,
      // and kept apart so the tests see exactly the data commands.
      if (name!.toUpperCase() === "COMMAND") {
        this.introspection.push(recorded);
        return args.slice(1).map((command) => [command.toLowerCase()]);
      }
      this.commands.push(recorded);
      try {
        return this.execute(name!.toUpperCase(), args);
      } catch (error) {
        return new RedisCommandError({ message: (error as Error).message, command: name! });
      }
    });
  }

  async *scanKeys(): AsyncGenerator<string[]> {
    yield [...this.json.keys(), ...this.series.keys(), ...this.strings.keys()];
  }

  async duplicate(): Promise<RedisConnection> {
    return this;
  }

  async close(): Promise<void> {}

  exists(key: string): boolean {
    return this.json.has(key) || this.series.has(key) || this.strings.has(key);
  }

  del(key: string): number {
    const existed = this.exists(key);
    this.json.delete(key);
    this.series.delete(key);
    this.strings.delete(key);
    this.expiries.delete(key);
    return existed ? 1 : 0;
  }

  private execute(name: string, args: string[]): BatchReply {
    switch (name) {
      case "JSON.SET": {
        const [key, path, value, condition] = args as [string, string, string, string?];
        if (path !== "$") throw new Error("ERR new objects must be created at the root");
        if (this.series.has(key) || this.strings.has(key)) throw new Error(WRONGTYPE);
        const document = JSON.parse(value) as unknown;
        if (condition === "NX" && this.json.has(key)) return null;
        if (condition === "XX" && !this.json.has(key)) return null;
        this.json.set(key, document);
        return "OK";
      }
      case "JSON.MERGE": {
        const [key, path, value] = args as [string, string, string];
        if (path !== "$") throw new Error("ERR this fake merges at the root only");
        if (this.series.has(key) || this.strings.has(key)) throw new Error(WRONGTYPE);
        this.json.set(key, mergePatch(this.json.get(key), JSON.parse(value) as unknown));
        return "OK";
      }
      case "TS.CREATE":
        return this.tsCreate(args);
      case "TS.MADD": {
        const replies: RedisReply[] = [];
        for (let i = 0; i < args.length; i += 3) {
          const sample = this.tsAdd(args[i]!, Number(args[i + 1]), Number(args[i + 2]));
          replies.push(sample as RedisReply);
        }
        return replies;
      }
      case "SET":
        this.strings.set(args[0]!, args[1]!);
        return "OK";
      case "PEXPIRE":
        if (!this.exists(args[0]!)) return 0;
        this.expiries.set(args[0]!, Number(args[1]));
        return 1;
      case "PERSIST":
        return this.expiries.delete(args[0]!) ? 1 : 0;
      case "DEL":
        return this.del(args[0]!);
      case "EXISTS":
        return this.exists(args[0]!) ? 1 : 0;
      case "EVALSHA": {
        const model = this.knownScripts.get(args[0]!);
        if (!model) throw new Error("NOSCRIPT No matching script. Please use EVAL.");
        return runScript(this, model, args.slice(1));
      }
      case "EVAL": {
        const model = this.scripts.find((candidate) => candidate.matches(args[0]!));
        if (!model) throw new Error("ERR this fake has no model of that script");
        this.knownScripts.set(createHash("sha1").update(args[0]!).digest("hex"), model);
        return runScript(this, model, args.slice(1));
      }
      default:
        throw new Error(`ERR unknown command '${name}'`);
    }
  }

  tsCreate(args: string[]): RedisReply {
    const [key, ...options] = args as [string, ...string[]];
    if (this.exists(key)) throw new Error("TSDB: key already exists");
    const series: TimeSeries = { samples: new Map(), policy: "BLOCK", labels: {}, retention: 0 };
    for (let i = 0; i < options.length; i++) {
      const option = options[i]!.toUpperCase();
      if (option === "DUPLICATE_POLICY") series.policy = options[++i]!;
      else if (option === "RETENTION") series.retention = Number(options[++i]);
      else if (option === "LABELS") {
        for (i++; i + 1 < options.length; i += 2) series.labels[options[i]!] = options[i + 1]!;
      } else throw new Error("TSDB: wrong parameters");
    }
    this.series.set(key, series);
    return "OK";
  }

  tsAdd(key: string, timestamp: number, value: number): number | Error {
    const series = this.series.get(key);
    if (series === undefined)
      return this.exists(key) ? new Error(WRONGTYPE) : new Error("TSDB: the key does not exist");
    if (!Number.isFinite(value)) return new Error("TSDB: invalid value");
    if (series.samples.has(timestamp) && series.policy === "BLOCK") {
      return new Error(
        "TSDB: Error at upsert, update is not supported when DUPLICATE_POLICY is set to BLOCK mode",
      );
    }
    if (!(series.samples.has(timestamp) && series.policy === "FIRST")) series.samples.set(timestamp, value);
    return timestamp;
  }
}

/** A model of one Lua script: recognises its body and does what it does. */
export interface ScriptModel {
  matches(body: string): boolean;
  /** `argv`: the script's header arguments, then its payload as the decoded MessagePack array. */
  run(fake: StackFake, keys: string[], argv: (string | unknown[])[]): RedisReply;
}

function runScript(fake: StackFake, model: ScriptModel, rest: (string | unknown[])[]): RedisReply {
  const count = Number(rest[0]);
  return model.run(fake, rest.slice(1, 1 + count) as string[], rest.slice(1 + count));
}

export interface TimeSeries {
  samples: Map<number, number>;
  policy: string;
  labels: Record<string, string>;
  retention: number;
}

const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";

/** RFC 7396 JSON Merge Patch. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const result: Record<string, unknown> =
    target !== null && typeof target === "object" && !Array.isArray(target) ? { ...(target as object) } : {};
  for (const [name, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === null) delete result[name];
    else result[name] = mergePatch(result[name], value);
  }
  return result;
}
