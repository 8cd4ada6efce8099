import { InvalidArgumentError, type OnError, type SchemaInput } from "@polars-redis/core";
import { streamEntriesToFrame } from "@polars-redis/core/internal";
import { requireKey, requirePositiveInteger } from "../internal/validate.js";
import type { OverflowPolicy } from "./message-buffer.js";

export interface PubSubOptions {
  /** Channels to SUBSCRIBE to. */
  channels?: readonly string[] | undefined;
  /** Patterns to PSUBSCRIBE to. */
  patterns?: readonly string[] | undefined;
  /**
   * Shard channels to SSUBSCRIBE to (Redis 7 sharded Pub/Sub: SPUBLISH reaches only the node serving the
   * channel's slot, so a cluster does not broadcast it). Works on one server and on a cluster.
   */
  shardChannels?: readonly string[] | undefined;
  /** "raw": the payload as text in `messageColumn`; "json": a JSON object's fields become columns. ["raw"] */
  format?: "raw" | "json" | undefined;
  /** Your own decoding, from channel and payload bytes to one row; overrides `format`. */
  parse?: ((channel: string, payload: Buffer) => Record<string, unknown>) | undefined;
  /** Field → dtype for json/parse rows (with a schema only its fields are kept). */
  schema?: SchemaInput | undefined;
  /** A value that does not fit its dtype, or a payload that is not JSON: throw, or null it and count it. ["raise"] */
  onError?: OnError | undefined;
  /** ["message"] */
  messageColumn?: string | undefined;
  /** [true] / ["_channel"] */
  includeChannel?: boolean | undefined;
  channelColumn?: string | undefined;
  /** The matching pattern, for messages received through PSUBSCRIBE. [true when patterns are given] / ["_pattern"] */
  includePattern?: boolean | undefined;
  patternColumn?: string | undefined;
  /** Arrival time, Datetime("ms"). [true] / ["_received_at"] */
  includeTimestamp?: boolean | undefined;
  timestampColumn?: string | undefined;
  /** Messages held while the application is busy. [10000] */
  maxBuffer?: number | undefined;
  /** Which message goes when the buffer is full; every drop is counted. ["drop-oldest"] */
  overflow?: OverflowPolicy | undefined;
  signal?: AbortSignal | undefined;
}

export interface ResolvedPubSubOptions {
  channels: string[];
  patterns: string[];
  shardChannels: string[];
  format: "raw" | "json";
  parse: ((channel: string, payload: Buffer) => Record<string, unknown>) | undefined;
  schema: SchemaInput | undefined;
  onError: OnError;
  messageColumn: string;
  channelColumn: string | undefined;
  patternColumn: string | undefined;
  timestampColumn: string | undefined;
  maxBuffer: number;
  overflow: OverflowPolicy;
  signal: AbortSignal | undefined;
}

export function resolvePubSubOptions(options: PubSubOptions): ResolvedPubSubOptions {
  if (options === null || typeof options !== "object")
    throw new InvalidArgumentError("options", "expected an object");
  const channels = keyList("channels", options.channels);
  const patterns = keyList("patterns", options.patterns);
  const shardChannels = keyList("shardChannels", options.shardChannels);
  if (channels.length + patterns.length + shardChannels.length === 0) {
    throw new InvalidArgumentError(
      "channels",
      "give at least one channel (channels), pattern (patterns) or shard channel (shardChannels)",
    );
  }
  const format = options.format ?? "raw";
  if (format !== "raw" && format !== "json") {
    throw new InvalidArgumentError("format", `expected "raw" or "json", got ${JSON.stringify(format)}`);
  }
  if (options.parse !== undefined && typeof options.parse !== "function") {
    throw new InvalidArgumentError("parse", "expected a function (channel, payload) => row");
  }
  const overflow = options.overflow ?? "drop-oldest";
  if (overflow !== "drop-oldest" && overflow !== "drop-newest") {
    throw new InvalidArgumentError(
      "overflow",
      `expected "drop-oldest" or "drop-newest", got ${JSON.stringify(overflow)}`,
    );
  }
  const onError = options.onError ?? "raise";
  // Checks schema and onError the way every frame of this subscription will be built.
  streamEntriesToFrame([], { ...(options.schema === undefined ? {} : { schema: options.schema }), onError });
  const resolved: ResolvedPubSubOptions = {
    channels,
    patterns,
    shardChannels,
    format,
    parse: options.parse,
    schema: options.schema,
    onError,
    messageColumn: requireKey("messageColumn", options.messageColumn ?? "message"),
    channelColumn:
      (options.includeChannel ?? true)
        ? requireKey("channelColumn", options.channelColumn ?? "_channel")
        : undefined,
    patternColumn:
      (options.includePattern ?? patterns.length > 0)
        ? requireKey("patternColumn", options.patternColumn ?? "_pattern")
        : undefined,
    timestampColumn:
      (options.includeTimestamp ?? true)
        ? requireKey("timestampColumn", options.timestampColumn ?? "_received_at")
        : undefined,
    maxBuffer: requirePositiveInteger("maxBuffer", options.maxBuffer ?? 10_000),
    overflow,
    signal: options.signal,
  };
  const names = [resolved.channelColumn, resolved.patternColumn, resolved.timestampColumn].filter(
    (name) => name !== undefined,
  );
  if (new Set(names).size !== names.length) {
    throw new InvalidArgumentError(
      "channelColumn",
      `metadata columns must have distinct names: ${names.join(", ")}`,
    );
  }
  return resolved;
}

function keyList(argument: string, value: readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new InvalidArgumentError(argument, "expected an array of names");
  return value.map((name, index) => requireKey(`${argument}[${index}]`, name));
}
