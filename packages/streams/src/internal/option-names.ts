import type { StreamLayoutOptions } from "@polars-redis/core";
import { optionNames, STREAM_LAYOUT_OPTION_NAMES } from "@polars-redis/core/internal";
import type { RedisCheckpointStoreOptions } from "../checkpoint/redis-checkpoint-store.js";
import type { ConsumerOptions, DeadLetterOptions } from "../consumer/consumer-options.js";
import type { StreamFrameOptions } from "../frame/stream-frame-options.js";
import type { CollectPubSubOptions } from "../pubsub/collect-pubsub.js";
import type { IterPubSubOptions } from "../pubsub/iter-pubsub.js";
import type { PubSubOptions } from "../pubsub/pubsub-options.js";
import type { ReaderOptions } from "../reader/create-reader.js";

/**
 * The option names of each public function of this package, for core's checkOptions: unknown keys are refused
 * (with a "did you mean" hint) before anything starts. The compiler keeps each list equal to its interface.
 */
const FRAME: readonly string[] = [
  ...STREAM_LAYOUT_OPTION_NAMES,
  ...optionNames<Omit<StreamFrameOptions, keyof StreamLayoutOptions>>()([
    "onError",
    "includeStream",
    "streamColumn",
  ]),
];

const PUBSUB = optionNames<PubSubOptions>()([
  "channels",
  "patterns",
  "shardChannels",
  "format",
  "parse",
  "schema",
  "onError",
  "messageColumn",
  "includeChannel",
  "channelColumn",
  "includePattern",
  "patternColumn",
  "includeTimestamp",
  "timestampColumn",
  "maxBuffer",
  "overflow",
  "signal",
]);

export const CONSUMER_OPTION_NAMES: readonly string[] = [
  ...FRAME,
  ...optionNames<Omit<ConsumerOptions, keyof StreamFrameOptions>>()([
    "stream",
    "streams",
    "group",
    "consumer",
    "createGroup",
    "startId",
    "batchSize",
    "blockMs",
    "watchdogMs",
    "claimIdleMs",
    "claimIntervalMs",
    "maxDeliveries",
    "deadLetter",
    "redeliveryDelay",
    "retryBackoff",
    "onGap",
    "checkIntervalMs",
    "heartbeatIntervalMs",
    "handlerTimeoutMs",
    "stopTimeoutMs",
    "signal",
    "stopSignals",
    "onEvent",
  ]),
];

export const DEAD_LETTER_OPTION_NAMES = optionNames<DeadLetterOptions>()(["stream", "maxLength"]);

export const READER_OPTION_NAMES: readonly string[] = [
  ...FRAME,
  ...optionNames<Omit<ReaderOptions, keyof StreamFrameOptions>>()([
    "stream",
    "streams",
    "checkpoint",
    "startId",
    "batchSize",
    "blockMs",
    "watchdogMs",
    "retryBackoff",
    "onGap",
    "signal",
    "stopSignals",
    "onEvent",
  ]),
];

export const COLLECT_PUBSUB_OPTION_NAMES: readonly string[] = [
  ...PUBSUB,
  ...optionNames<Omit<CollectPubSubOptions, keyof PubSubOptions>>()([
    "count",
    "timeoutMs",
    "onStats",
    "onSubscribed",
  ]),
];

export const ITER_PUBSUB_OPTION_NAMES: readonly string[] = [
  ...PUBSUB,
  ...optionNames<Omit<IterPubSubOptions, keyof PubSubOptions>>()(["batchSize", "windowMs"]),
];

export const REDIS_CHECKPOINT_OPTION_NAMES = optionNames<RedisCheckpointStoreOptions>()(["prefix"]);
