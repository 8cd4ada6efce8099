export { createFileCheckpointStore } from "./checkpoint/file-checkpoint-store.js";
export { createMemoryCheckpointStore } from "./checkpoint/memory-checkpoint-store.js";
export {
  createRedisCheckpointStore,
  type RedisCheckpointStoreOptions,
} from "./checkpoint/redis-checkpoint-store.js";
export type { ConsumerBatch } from "./consumer/consumer-batch.js";
export type { ConsumerEvent, ConsumerEventListener } from "./consumer/consumer-events.js";
export type { ConsumerOptions, DeadLetterOptions } from "./consumer/consumer-options.js";
export type { ConsumerStats } from "./consumer/consumer-stats.js";
export {
  type BatchHandler,
  createConsumer,
  type RunOptions,
  type StreamConsumer,
} from "./consumer/create-consumer.js";
export type { StreamEntry } from "./frame/stream-entry.js";
export type { StreamFrameOptions } from "./frame/stream-frame-options.js";
export type { BackoffOptions, RetryDelayOption } from "./internal/retry-delay.js";
export { type CollectPubSubOptions, collectPubSub } from "./pubsub/collect-pubsub.js";
export {
  type IterPubSubOptions,
  iterPubSub,
  type PubSubBatch,
  type PubSubIterable,
} from "./pubsub/iter-pubsub.js";
export type { OverflowPolicy, PubSubMessage } from "./pubsub/message-buffer.js";
export type { PubSubOptions } from "./pubsub/pubsub-options.js";
export type { PubSubStats } from "./pubsub/pubsub-stats.js";
export type { PubSubTarget } from "./pubsub/subscriber.js";
export {
  readStream,
  readStreamRange,
  type ScanStreamOptions,
  scanStream,
  scanStreamRange,
} from "./read/scan-stream.js";
export {
  createReader,
  type ReaderBatch,
  type ReaderOptions,
  type ReaderStats,
  type StreamReader,
} from "./reader/create-reader.js";
export type { ReaderEvent, ReaderEventListener } from "./reader/reader-events.js";
export {
  createRouter,
  type RouterOptions,
  type RouterSource,
  type StreamRouter,
} from "./router/create-router.js";
export type { RouteDefinition } from "./router/route-definition.js";
export type { RouterEvent, RouterEventListener } from "./router/router-events.js";
export type { RouterStats, RouteStats } from "./router/router-stats.js";
export { compareStreamIds, isStreamId, nextStreamId } from "./stream-id.js";
