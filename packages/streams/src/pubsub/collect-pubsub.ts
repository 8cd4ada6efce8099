import { InvalidArgumentError } from "@polars-redis/core";
import { checkOptions } from "@polars-redis/core/internal";
import type { DataFrame } from "nodejs-polars";
import { COLLECT_PUBSUB_OPTION_NAMES } from "../internal/option-names.js";
import { requireNonNegativeNumber, requirePositiveInteger } from "../internal/validate.js";
import { MessageBuffer } from "./message-buffer.js";
import { messagesToFrame } from "./messages-to-frame.js";
import { type PubSubOptions, resolvePubSubOptions } from "./pubsub-options.js";
import type { PubSubStats } from "./pubsub-stats.js";
import { type PubSubTarget, Subscriber } from "./subscriber.js";

export interface CollectPubSubOptions extends PubSubOptions {
  /** Stop after this many messages. */
  count?: number | undefined;
  /** Stop this long after the subscription is confirmed. */
  timeoutMs?: number | undefined;
  /** Called once with the counters (received, dropped, ...) before the frame is returned. */
  onStats?: ((stats: PubSubStats) => void) | undefined;
  /** Called once subscribed: publish test messages from here on. */
  onSubscribed?: (() => void) | undefined;
}

/**
 * Subscribes, collects messages until `count` arrived, `timeoutMs` passed or `signal` fired (at least one of
 * them is required: a collection without an end would wait forever), and returns them as one DataFrame.
 */
export async function collectPubSub(target: PubSubTarget, options: CollectPubSubOptions): Promise<DataFrame> {
  checkOptions(options, COLLECT_PUBSUB_OPTION_NAMES, { function: "collectPubSub" });
  const resolved = resolvePubSubOptions(options);
  const count = options.count === undefined ? undefined : requirePositiveInteger("count", options.count);
  const timeoutMs =
    options.timeoutMs === undefined ? undefined : requireNonNegativeNumber("timeoutMs", options.timeoutMs);
  if (count === undefined && timeoutMs === undefined && resolved.signal === undefined) {
    throw new InvalidArgumentError(
      "count",
      "give count, timeoutMs or signal: otherwise collectPubSub never ends",
    );
  }
  // With a count, the buffer holds exactly what is collected; messages beyond it are not kept.
  const capacity = count === undefined ? resolved.maxBuffer : Math.min(count, resolved.maxBuffer);
  const buffer = new MessageBuffer(capacity, count === undefined ? resolved.overflow : "drop-newest");
  const subscriber = new Subscriber(target, buffer);
  try {
    await subscriber.subscribe(resolved.channels, resolved.patterns, resolved.shardChannels);
    options.onSubscribed?.();
    const deadline = timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs;
    while (
      !resolved.signal?.aborted &&
      (count === undefined || buffer.size < count) &&
      Date.now() < deadline
    ) {
      await subscriber.waitForMessage(Math.min(deadline - Date.now(), 1000), resolved.signal);
    }
    const messages = buffer.take(buffer.size);
    const built = messagesToFrame(messages, resolved);
    options.onStats?.({
      received: subscriber.received,
      delivered: messages.length,
      // With a count, messages after the count are not "dropped" by overflow, just not collected.
      dropped: count === undefined ? buffer.dropped : 0,
      malformed: built.malformed,
      nulled: built.nulled,
      reconnects: subscriber.reconnects,
      buffered: 0,
    });
    return built.frame;
  } finally {
    await subscriber.close();
  }
}
