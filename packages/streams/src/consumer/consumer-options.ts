import { InvalidArgumentError } from "@polars-redis/core";
import {
  type ResolvedFrameOptions,
  resolveFrameOptions,
  type StreamFrameOptions,
} from "../frame/stream-frame-options.js";
import { type RetryDelayOption, retryDelays } from "../internal/retry-delay.js";
import {
  requireKey,
  requireNonNegativeNumber,
  requirePositiveInteger,
  resolveStreamKeys,
} from "../internal/validate.js";
import { isStreamId } from "../stream-id.js";
import type { ConsumerEventListener } from "./consumer-events.js";

export interface DeadLetterOptions {
  /** The dead-letter stream for a source stream. [`${stream}:dead-letter`, which keeps a hash tag's slot] */
  stream?: string | ((sourceStream: string) => string) | undefined;
  /** Cap the dead-letter stream (XADD MAXLEN ~). [no cap] */
  maxLength?: number | undefined;
}

export interface ConsumerOptions extends StreamFrameOptions {
  /** The stream key to consume, or `streams` for several. */
  stream?: string | undefined;
  streams?: readonly string[] | undefined;
  group: string;
  /** This consumer's name in the group; must be unique among live consumers. */
  consumer: string;
  /** Create the group when it is missing (XGROUP CREATE ... MKSTREAM). [true] */
  createGroup?: boolean | undefined;
  /** Where a created group starts: "0" (everything in the stream), "$" (only new entries) or an id. ["0"] */
  startId?: string | undefined;
  /** Entries read per stream and call. [100] */
  batchSize?: number | undefined;
  /** How long a read waits for new entries (XREADGROUP BLOCK). Keep it well below the command timeout. [2000] */
  blockMs?: number | undefined;
  /** A blocking read still unanswered blockMs + watchdogMs later is abandoned and its connection replaced. [5000] */
  watchdogMs?: number | undefined;
  /** Entries of other consumers idle this long are claimed (XAUTOCLAIM); 0 disables claiming. [30000] */
  claimIdleMs?: number | undefined;
  /** How often to look for idle entries to claim. [min(claimIdleMs / 2, 10000)] */
  claimIntervalMs?: number | undefined;
  /**
   * An entry delivered this many times without an ack goes to the dead-letter stream instead of an
   * (n+1)th delivery. `Infinity` keeps redelivering forever. [5]
   */
  maxDeliveries?: number | undefined;
  deadLetter?: DeadLetterOptions | undefined;
  /** Wait before delivering a handed-back entry again, by its delivery count. [100 ms doubling, up to 10 s] */
  redeliveryDelay?: RetryDelayOption | ((deliveries: number) => number) | undefined;
  /**
   * Backoff between retries of transient Redis failures: core's RetryPolicy (retried until stopped, so
   * `attempts` is not used). [100 ms doubling, up to 5 s, full jitter]
   */
  retryBackoff?: RetryDelayOption | undefined;
  /**
   * When the stream was trimmed past the group's position: "error" throws a StreamGapError from the
   * iteration (once: the gap is then recorded as seen), "event" only reports a `stream-gap` event. ["error"]
   */
  onGap?: "error" | "event" | undefined;
  /** How often the group's position, lag and pending count are checked (gap detection). [1000] */
  checkIntervalMs?: number | undefined;
  /** Refresh the idle time of entries being processed this often, so nobody claims them. [claimIdleMs / 3] */
  heartbeatIntervalMs?: number | undefined;
  /**
   * A handler (run) that has not settled after this long fails its batch: the entries are handed back, no longer
   * kept alive by the heartbeat, so another consumer can claim them (and this one redelivers them after the
   * redelivery delay). The handler's later outcome is ignored. `Infinity` waits forever. [300000]
   */
  handlerTimeoutMs?: number | undefined;
  /**
   * After stop, run() waits this long for batches in progress, then resolves anyway; their entries stay pending
   * (claimable by other consumers after claimIdleMs, re-read by this consumer on restart). [30000]
   */
  stopTimeoutMs?: number | undefined;
  /** Stop (after in-flight work) when this signal fires. */
  signal?: AbortSignal | undefined;
  /** Stop (after in-flight work) on these process signals, e.g. ["SIGTERM", "SIGINT"]. [none] */
  stopSignals?: readonly NodeJS.Signals[] | undefined;
  onEvent?: ConsumerEventListener | undefined;
}

export interface ResolvedConsumerOptions {
  streams: string[];
  group: string;
  consumer: string;
  createGroup: boolean;
  startId: string;
  batchSize: number;
  blockMs: number;
  watchdogMs: number;
  claimIdleMs: number;
  claimIntervalMs: number;
  maxDeliveries: number;
  deadLetterStream: (source: string) => string;
  deadLetterMaxLength: number | undefined;
  redeliveryDelay: (deliveries: number) => number;
  retryBackoff: (retry: number) => number;
  onGap: "error" | "event";
  checkIntervalMs: number;
  heartbeatIntervalMs: number;
  handlerTimeoutMs: number;
  stopTimeoutMs: number;
  frame: ResolvedFrameOptions;
  signal: AbortSignal | undefined;
  stopSignals: readonly NodeJS.Signals[];
  onEvent: ConsumerEventListener;
}

/** Checks every option before anything is sent to Redis, and fills in the defaults. */
export function resolveConsumerOptions(options: ConsumerOptions): ResolvedConsumerOptions {
  if (options === null || typeof options !== "object") {
    throw new InvalidArgumentError("options", "expected an options object");
  }
  const streams = resolveStreamKeys(options.stream, options.streams);
  const group = requireKey("group", options.group);
  const consumer = requireKey("consumer", options.consumer);
  const startId = options.startId ?? "0";
  if (startId !== "$" && !isStreamId(startId)) {
    throw new InvalidArgumentError(
      "startId",
      `expected "0", "$" or a stream id, got ${JSON.stringify(startId)}`,
    );
  }
  const blockMs = requireNonNegativeNumber("blockMs", options.blockMs ?? 2000);
  const claimIdleMs = requireNonNegativeNumber("claimIdleMs", options.claimIdleMs ?? 30_000);
  const maxDeliveries = options.maxDeliveries ?? 5;
  if (
    !(maxDeliveries === Number.POSITIVE_INFINITY || (Number.isInteger(maxDeliveries) && maxDeliveries >= 1))
  ) {
    throw new InvalidArgumentError(
      "maxDeliveries",
      `expected an integer >= 1 or Infinity, got ${maxDeliveries}`,
    );
  }
  const onGap = options.onGap ?? "error";
  if (onGap !== "error" && onGap !== "event") {
    throw new InvalidArgumentError("onGap", `expected "error" or "event", got ${JSON.stringify(onGap)}`);
  }
  const deadLetterStream = resolveDeadLetterStream(options.deadLetter?.stream);
  const deadLetterMaxLength =
    options.deadLetter?.maxLength === undefined
      ? undefined
      : requirePositiveInteger("deadLetter.maxLength", options.deadLetter.maxLength);
  for (const source of streams) {
    if (deadLetterStream(source) === source) {
      throw new InvalidArgumentError(
        "deadLetter.stream",
        `the dead-letter stream of ${source} is ${source} itself`,
      );
    }
  }
  const redeliveryDelay =
    typeof options.redeliveryDelay === "function"
      ? options.redeliveryDelay
      : retryDelays(options.redeliveryDelay, "redeliveryDelay", {
          initialDelayMs: 100,
          maxDelayMs: 10_000,
          jitter: "none",
        });
  const stopSignals = options.stopSignals ?? [];
  if (!Array.isArray(stopSignals))
    throw new InvalidArgumentError("stopSignals", "expected an array of signal names");
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new InvalidArgumentError("signal", "expected an AbortSignal");
  }
  return {
    streams,
    group,
    consumer,
    createGroup: options.createGroup ?? true,
    startId,
    batchSize: requirePositiveInteger("batchSize", options.batchSize ?? 100),
    blockMs,
    watchdogMs: requireNonNegativeNumber("watchdogMs", options.watchdogMs ?? 5000),
    claimIdleMs,
    claimIntervalMs: requireNonNegativeNumber(
      "claimIntervalMs",
      options.claimIntervalMs ?? Math.max(100, Math.min(claimIdleMs / 2, 10_000)),
    ),
    maxDeliveries,
    deadLetterStream,
    deadLetterMaxLength,
    redeliveryDelay,
    retryBackoff: retryDelays(options.retryBackoff, "retryBackoff"),
    onGap,
    checkIntervalMs: requireNonNegativeNumber("checkIntervalMs", options.checkIntervalMs ?? 1000),
    heartbeatIntervalMs: requireNonNegativeNumber(
      "heartbeatIntervalMs",
      options.heartbeatIntervalMs ?? Math.max(100, claimIdleMs / 3),
    ),
    handlerTimeoutMs: requireTimeout("handlerTimeoutMs", options.handlerTimeoutMs ?? 300_000),
    stopTimeoutMs: requireTimeout("stopTimeoutMs", options.stopTimeoutMs ?? 30_000),
    frame: resolveFrameOptions(options, streams.length > 1),
    signal: options.signal,
    stopSignals,
    onEvent: options.onEvent ?? (() => {}),
  };
}

function resolveDeadLetterStream(stream: DeadLetterOptions["stream"]): (source: string) => string {
  if (stream === undefined) return (source) => `${source}:dead-letter`;
  if (typeof stream === "function") {
    return (source) => requireKey("deadLetter.stream", stream(source));
  }
  const key = requireKey("deadLetter.stream", stream);
  return () => key;
}

function requireTimeout(argument: string, value: unknown): number {
  if (typeof value !== "number" || !(value > 0)) {
    throw new InvalidArgumentError(
      argument,
      `expected a number of milliseconds > 0 (or Infinity), got ${String(value)}`,
    );
  }
  return value;
}
