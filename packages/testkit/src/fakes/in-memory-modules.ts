import { createHash } from "node:crypto";
import {
  type BatchReply,
  type CommandError,
  type RedisArgument,
  RedisCommandError,
  type RedisReply,
} from "@polars-redis/core";
import { RecordingConnection, type Responder } from "./recording-connection.js";

/** A time series as the fake holds it. */
export interface FakeTimeSeries {
  /** timestamp (ms) → value. */
  readonly samples: Map<number, number>;
  /** DUPLICATE_POLICY: BLOCK, FIRST, LAST, ... */
  policy: string;
  readonly labels: Record<string, string>;
  retention: number;
}

/** A time series to seed the fake with: labels and [timestamp ms, value] samples. */
export interface SeedTimeSeries {
  readonly labels?: Readonly<Record<string, string>>;
  readonly samples: ReadonlyArray<readonly [number, number]>;
}

/** A model of one Lua script: recognises its body and does what it does against the fake. */
export interface ScriptModel {
  matches(body: string): boolean;
  /** `argv`: the script's arguments, each Buffer argument passed through `decodeArgument`. */
  run(fake: InMemoryModules, keys: string[], argv: unknown[]): RedisReply;
}

export interface InMemoryModulesOptions {
  /** RedisJSON documents to start with: key → document. */
  readonly documents?: Iterable<readonly [string, unknown]>;
  /** Time series to start with: key → labels and samples. */
  readonly series?: Iterable<readonly [string, SeedTimeSeries]>;
  /** Models of the Lua scripts EVAL may run (EVALSHA answers NOSCRIPT until the script was sent with EVAL). */
  readonly scripts?: readonly ScriptModel[];
  /** How a script model sees a Buffer argument (e.g. a MessagePack payload decoder). [utf8 text] */
  readonly decodeArgument?: (part: Buffer) => unknown;
  /** Answers the commands the fake does not model (e.g. FT.SEARCH from reply fixtures). [an ERR reply] */
  readonly respond?: Responder;
}

const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";

/**
 * A RecordingConnection answering RedisJSON and RedisTimeSeries commands from an in-memory model, for tests that
 * need those modules where no server has them. Replies follow the official command reference (RESP2):
 * - `JSON.GET key path` → a JSON array of the path's matches; `JSON.GET key p1 p2 ...` → a JSON object of such
 *   arrays keyed by path; nil for a missing key. JSONPath subset: `$`, `.name`, `["name"]`, `[n]`, `[*]`.
 * - `JSON.SET key $ value [NX|XX]` → "OK", or nil when NX/XX is not met; `JSON.MERGE key $ value` (RFC 7396).
 * - `TS.CREATE key [DUPLICATE_POLICY p] [RETENTION ms] [LABELS l v ...]`; `TS.MADD {key ts value}...` → per
 *   sample its timestamp or an error; `TS.RANGE key from to [COUNT n] [AGGREGATION type bucketMs]`;
 *   `TS.INFO key` → `[..., "labels", [[label, value], ...]]`.
 * - `SET`, `DEL`, `EXISTS`, `PEXPIRE`, `PERSIST` on the model's keys; `COMMAND INFO` as a server with the
 *   modules (kept in `introspection`, out of `commands`); `EVAL`/`EVALSHA` through `scripts`.
 * SCAN ... TYPE ReJSON-RL / TSDB-TYPE / string sees the model's keys.
 */
export class InMemoryModules extends RecordingConnection {
  readonly json = new Map<string, unknown>();
  readonly series = new Map<string, FakeTimeSeries>();
  readonly strings = new Map<string, string>();
  /** PEXPIRE'd keys: key → ms. */
  readonly expiries = new Map<string, number>();
  /** COMMAND questions (the writers ask once per connection whether the module is loaded). */
  readonly introspection: string[][] = [];
  private readonly scripts: readonly ScriptModel[];
  private readonly decodeArgument: (part: Buffer) => unknown;
  /** Scripts the "server" has cached (sent once with EVAL), by SHA1. */
  private readonly knownScripts = new Map<string, ScriptModel>();
  private readonly fallback: Responder | undefined;

  constructor(options: InMemoryModulesOptions = {}) {
    if (options === null || typeof options !== "object")
      throw new TypeError("InMemoryModules: options must be an object");
    super(options.respond === undefined ? {} : { respond: options.respond });
    this.fallback = options.respond;
    if (options.decodeArgument !== undefined && typeof options.decodeArgument !== "function")
      throw new TypeError("InMemoryModules: decodeArgument must be a function (Buffer) => value");
    if (options.scripts !== undefined && !Array.isArray(options.scripts))
      throw new TypeError("InMemoryModules: scripts must be an array of script models");
    this.scripts = options.scripts ?? [];
    this.decodeArgument = options.decodeArgument ?? ((part) => part.toString("utf8"));
    for (const [key, document] of options.documents ?? []) this.json.set(key, document);
    for (const [key, seed] of options.series ?? []) {
      this.series.set(key, {
        samples: new Map(seed.samples.map(([timestamp, value]) => [timestamp, value])),
        policy: "BLOCK",
        labels: { ...seed.labels },
        retention: 0,
      });
    }
  }

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

  /** TS.CREATE's arguments (key first); throws the error reply's message. */
  tsCreate(args: readonly string[]): RedisReply {
    const [key, ...options] = args as [string, ...string[]];
    if (this.exists(key)) throw new Error("TSDB: key already exists");
    const series: FakeTimeSeries = { samples: new Map(), policy: "BLOCK", labels: {}, retention: 0 };
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

  /** One TS.MADD sample: its timestamp, or the per-sample error. */
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

  protected override keyTypes(): Iterable<readonly [string, string]> {
    return [
      ...[...this.json.keys()].map((key) => [key, "ReJSON-RL"] as const),
      ...[...this.series.keys()].map((key) => [key, "TSDB-TYPE"] as const),
      ...[...this.strings.keys()].map((key) => [key, "string"] as const),
    ];
  }

  protected override record(command: readonly RedisArgument[], text: string[]): boolean {
    if (text[0]?.toUpperCase() === "COMMAND") {
      this.introspection.push(text);
      return false;
    }
    return super.record(command, text);
  }

  protected override answer(
    text: readonly string[],
    command: readonly RedisArgument[],
  ): RedisReply | CommandError {
    const name = (text[0] ?? "").toUpperCase();
    try {
      return this.execute(name, text.slice(1), command.slice(1));
    } catch (error) {
      return new RedisCommandError({ command: name, message: (error as Error).message });
    }
  }

  private execute(name: string, args: readonly string[], raw: readonly RedisArgument[]): BatchReply {
    const key = args[0] ?? "";
    switch (name) {
      case "COMMAND":
        // COMMAND INFO name...: a server with the modules knows them.
        return args.slice(1).map((command) => [command.toLowerCase()]);
      case "JSON.GET": {
        if (!this.json.has(key)) return null;
        const document = this.json.get(key);
        const paths = args.slice(1);
        if (paths.length <= 1) return JSON.stringify(evaluatePath(document, paths[0] ?? "$"));
        return JSON.stringify(Object.fromEntries(paths.map((path) => [path, evaluatePath(document, path)])));
      }
      case "JSON.SET": {
        const [, path, value, condition] = args as [string, string, string, string?];
        if (path !== "$") throw new Error("ERR new objects must be created at the root");
        if (this.series.has(key) || this.strings.has(key)) throw new Error(WRONGTYPE);
        const document = JSON.parse(value) as unknown;
        if (condition === "NX" && this.json.has(key)) return null;
        if (condition === "XX" && !this.json.has(key)) return null;
        this.json.set(key, document);
        return "OK";
      }
      case "JSON.MERGE": {
        const [, path, value] = args as [string, string, string];
        if (path !== "$") throw new Error("ERR this fake merges at the root only");
        if (this.series.has(key) || this.strings.has(key)) throw new Error(WRONGTYPE);
        this.json.set(key, mergePatch(this.json.get(key), JSON.parse(value) as unknown));
        return "OK";
      }
      case "TS.CREATE":
        return this.tsCreate(args);
      case "TS.MADD": {
        const replies: RedisReply[] = [];
        for (let i = 0; i < args.length; i += 3)
          replies.push(this.tsAdd(args[i]!, Number(args[i + 1]), Number(args[i + 2])) as RedisReply);
        return replies;
      }
      case "TS.RANGE": {
        const found = this.series.get(key);
        if (found === undefined) throw new Error("ERR TSDB: the key does not exist");
        return range(found, args.slice(1));
      }
      case "TS.INFO": {
        const found = this.series.get(key);
        if (found === undefined) throw new Error("ERR TSDB: the key does not exist");
        return ["totalSamples", found.samples.size, "labels", Object.entries(found.labels)];
      }
      case "SET":
        this.strings.set(key, args[1]!);
        return "OK";
      case "PEXPIRE":
        if (!this.exists(key)) return 0;
        this.expiries.set(key, Number(args[1]));
        return 1;
      case "PERSIST":
        return this.expiries.delete(key) ? 1 : 0;
      case "DEL":
        return args.reduce((deleted, name) => deleted + this.del(name), 0);
      case "EXISTS":
        return args.filter((name) => this.exists(name)).length;
      case "EVALSHA": {
        const model = this.knownScripts.get(key);
        if (!model) throw new Error("NOSCRIPT No matching script. Please use EVAL.");
        return this.runScript(model, raw.slice(1));
      }
      case "EVAL": {
        const model = this.scripts.find((candidate) => candidate.matches(key));
        if (!model) throw new Error("ERR this fake has no model of that script");
        this.knownScripts.set(createHash("sha1").update(key).digest("hex"), model);
        return this.runScript(model, raw.slice(1));
      }
      default:
        if (this.fallback !== undefined) {
          const reply = this.fallback([name, ...args]);
          if (reply instanceof Error) throw reply;
          return reply;
        }
        throw new Error(`ERR unknown command '${name}' in the module fake`);
    }
  }

  private runScript(model: ScriptModel, rest: readonly RedisArgument[]): RedisReply {
    const decoded = rest.map((part) => (Buffer.isBuffer(part) ? this.decodeArgument(part) : String(part)));
    const count = Number(decoded[0]);
    return model.run(this, decoded.slice(1, 1 + count) as string[], decoded.slice(1 + count));
  }
}

function range(series: FakeTimeSeries, args: readonly string[]): RedisReply {
  const [from = "-", to = "+", ...rest] = args;
  const low = from === "-" ? Number.NEGATIVE_INFINITY : Number(from);
  const high = to === "+" ? Number.POSITIVE_INFINITY : Number(to);
  let count = Number.POSITIVE_INFINITY;
  let aggregation: { type: string; bucketMs: number } | undefined;
  for (let index = 0; index < rest.length; index++) {
    const option = rest[index]!.toUpperCase();
    if (option === "COUNT") count = Number(rest[++index]);
    else if (option === "AGGREGATION") {
      aggregation = { type: rest[index + 1]!.toLowerCase(), bucketMs: Number(rest[index + 2]) };
      index += 2;
    } else throw new Error(`ERR TS.RANGE option ${option} is not modelled`);
  }
  let samples: Array<readonly [number, number]> = [...series.samples]
    .sort(([a], [b]) => a - b)
    .filter(([timestamp]) => timestamp >= low && timestamp <= high);
  if (aggregation !== undefined) samples = aggregate(samples, aggregation.type, aggregation.bucketMs);
  return samples.slice(0, count).map(([timestamp, value]) => [timestamp, String(value)]);
}

function aggregate(
  samples: ReadonlyArray<readonly [number, number]>,
  type: string,
  bucketMs: number,
): Array<readonly [number, number]> {
  const buckets = new Map<number, number[]>();
  for (const [timestamp, value] of samples) {
    const start = Math.floor(timestamp / bucketMs) * bucketMs;
    buckets.set(start, [...(buckets.get(start) ?? []), value]);
  }
  const reduce: Record<string, (values: number[]) => number> = {
    avg: (values) => values.reduce((a, b) => a + b, 0) / values.length,
    sum: (values) => values.reduce((a, b) => a + b, 0),
    min: (values) => Math.min(...values),
    max: (values) => Math.max(...values),
    count: (values) => values.length,
  };
  const reducer = reduce[type];
  if (reducer === undefined) throw new Error(`ERR aggregation ${type} is not modelled`);
  return [...buckets].map(([start, values]) => [start, reducer(values)] as const);
}

/** The matches of a JSONPath in `document` (the subset described on InMemoryModules). */
function evaluatePath(document: unknown, path: string): unknown[] {
  if (!path.startsWith("$")) throw new Error(`ERR not a JSONPath: ${path}`);
  let current: unknown[] = [document];
  const step = /\.([A-Za-z_][A-Za-z0-9_]*)|\["([^"]*)"\]|\[(\d+)\]|\[\*\]/y;
  step.lastIndex = 1;
  while (step.lastIndex < path.length) {
    const match = step.exec(path);
    if (match === null) throw new Error(`ERR JSONPath ${path} is not in the modelled subset`);
    const [, dotted, quoted, index] = match;
    const next: unknown[] = [];
    for (const value of current) {
      if (value === null || typeof value !== "object") continue;
      const field = dotted ?? quoted;
      if (field !== undefined) {
        if (!Array.isArray(value) && Object.hasOwn(value, field))
          next.push((value as Record<string, unknown>)[field]);
      } else if (index !== undefined) {
        if (Array.isArray(value) && Number(index) < value.length) next.push(value[Number(index)]);
      } else {
        next.push(...(Array.isArray(value) ? value : Object.values(value)));
      }
    }
    current = next;
  }
  return current;
}

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
