import { InvalidArgumentError } from "@polars-redis/core";

export function requirePositiveInteger(argument: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new InvalidArgumentError(argument, `expected a positive integer, got ${String(value)}`);
  }
  return value;
}

export function requireNonNegativeNumber(argument: string, value: unknown): number {
  if (typeof value !== "number" || Number.isNaN(value) || value < 0) {
    throw new InvalidArgumentError(argument, `expected a number >= 0, got ${String(value)}`);
  }
  return value;
}

export function requireKey(argument: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new InvalidArgumentError(argument, `expected a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** One or several stream keys, from `stream` or `streams`, never both, never empty, no duplicates. */
export function resolveStreamKeys(stream: unknown, streams: unknown): string[] {
  if (stream !== undefined && streams !== undefined) {
    throw new InvalidArgumentError("streams", "give either stream or streams, not both");
  }
  if (stream !== undefined) return [requireKey("stream", stream)];
  if (!Array.isArray(streams) || streams.length === 0) {
    throw new InvalidArgumentError(
      "stream",
      "give a stream key (stream) or a non-empty list of keys (streams)",
    );
  }
  const keys = streams.map((key, index) => requireKey(`streams[${index}]`, key));
  if (new Set(keys).size !== keys.length)
    throw new InvalidArgumentError("streams", "a stream key is listed twice");
  return keys;
}
