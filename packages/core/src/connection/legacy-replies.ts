import type { RedisOptions } from "ioredis";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import { describeValue } from "../validation/describe-value.js";

/**
 * ioredis options without `replyMapping`, for `new Redis(...)` and a Cluster's `redisOptions`. ioredis declares
 * it `replyMapping?: "legacy" | "resp3" | undefined` in RedisOptions, but `replyMapping?: "legacy"` (no undefined)
 * on the constructors of the clients the library types as `Redis`/`Cluster`, so under
 * `exactOptionalPropertyTypes` its own options do not type-check against them. Only the legacy mapping (ioredis's
 * default) gives the reply shapes the library decodes: "resp3" is refused, "legacy" is the default anyway.
 */
export function withLegacyReplies<O extends { replyMapping?: RedisOptions["replyMapping"] }>(
  options: O,
  argument = "ioredis.replyMapping",
): Omit<O, "replyMapping"> {
  const { replyMapping, ...rest } = options;
  if (replyMapping !== undefined && replyMapping !== "legacy")
    throw new InvalidArgumentError(
      argument,
      `only the "legacy" reply mapping is supported, got ${describeValue(replyMapping)}`,
    );
  return rest;
}
