import { InvalidArgumentError } from "@polars-redis/core";

/** Redis's largest string value (proto-max-bulk-len's default): no chunk may be larger. */
export const MAX_CHUNK_BYTES = 512 * 1024 * 1024;
export const MIN_CHUNK_BYTES = 1024;
/** Chunks of 16 MiB, two in flight: the socket stays busy (a chunk takes far longer to move than a round trip) while the
 * client holds little besides the frame (ioredis copies each chunk it sends and concatenates each one it reads). */
export const DEFAULT_CHUNK_BYTES = 16 * 1024 * 1024;
/** Payloads up to this size are stored in the head itself (one round trip to write or read them). */
export const DEFAULT_INLINE_BYTES = 1024 * 1024;
/** How long a staged chunk lives if its write never publishes it (the writer died, the connection dropped). */
export const DEFAULT_STAGING_TTL_SECONDS = 600;
/** How long a replaced version's chunks stay readable for readers that fetched its head just before. */
export const DEFAULT_RECLAIM_DELAY_SECONDS = 10;

/** A positive number of seconds (fractions allowed) as whole milliseconds, or undefined when not given. */
export function secondsToMs(
  value: unknown,
  argument: string,
  { allowZero = false }: { allowZero?: boolean } = {},
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || (value === 0 && !allowZero)) {
    throw new InvalidArgumentError(
      argument,
      `expected a ${allowZero ? "non-negative" : "positive"} number of seconds, got ${String(value)}`,
    );
  }
  const ms = Math.round(value * 1000);
  if (ms === 0 && value > 0) {
    throw new InvalidArgumentError(argument, `${value} s is below Redis's 1 ms resolution`);
  }
  return ms;
}

export function checkChunkBytes(value: unknown): number {
  if (value === undefined) return DEFAULT_CHUNK_BYTES;
  if (
    typeof value !== "number" ||
    !Number.isInteger(value) ||
    value < MIN_CHUNK_BYTES ||
    value > MAX_CHUNK_BYTES
  ) {
    throw new InvalidArgumentError(
      "chunkBytes",
      `expected an integer from ${MIN_CHUNK_BYTES} to ${MAX_CHUNK_BYTES} (Redis's 512 MB value limit), got ${String(value)}`,
    );
  }
  return value;
}

export function checkInlineBytes(value: unknown): number {
  if (value === undefined) return DEFAULT_INLINE_BYTES;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > MAX_CHUNK_BYTES) {
    throw new InvalidArgumentError(
      "inlineBytes",
      `expected an integer from 0 (never inline) to ${MAX_CHUNK_BYTES}, got ${String(value)}`,
    );
  }
  return value;
}

export function checkNonNegativeInteger(value: unknown, argument: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new InvalidArgumentError(argument, `expected a non-negative integer, got ${String(value)}`);
  }
  return value;
}
