import type { RedisArgument } from "@polars-redis/core";
import { ARGS_PER_CALL } from "../engine/script-plan.js";

/**
 * Cuts a key's payload into parts of at most ARGS_PER_CALL arguments, never splitting an item of `width`
 * arguments (a field/value pair, a score/member pair). Small payloads stay one part without copying.
 */
export function splitParts(args: RedisArgument[], width = 1): RedisArgument[][] {
  if (args.length <= ARGS_PER_CALL) return [args];
  const step = ARGS_PER_CALL - (ARGS_PER_CALL % width);
  const parts: RedisArgument[][] = [];
  for (let start = 0; start < args.length; start += step) parts.push(args.slice(start, start + step));
  return parts;
}
