import { exists, getKeyIndexes } from "@ioredis/commands";
import type { RedisArgument } from "@polars-redis/core";

/**
 * Key positions of module commands, which @ioredis/commands (the core command table) does not know.
 * "first": the key is the first argument. Commands not listed here and not in the core table are treated as
 * keyless: they go to any master, and a MOVED reply then routes them to the right node.
 */
const FIRST_ARGUMENT_IS_KEY = new Set([
  "json.get",
  "json.set",
  "json.del",
  "json.forget",
  "json.type",
  "json.strlen",
  "json.strappend",
  "json.numincrby",
  "json.nummultby",
  "json.arrappend",
  "json.arrindex",
  "json.arrinsert",
  "json.arrlen",
  "json.arrpop",
  "json.arrtrim",
  "json.objkeys",
  "json.objlen",
  "json.clear",
  "json.toggle",
  "json.resp",
  "json.merge",
  "ts.create",
  "ts.alter",
  "ts.add",
  "ts.incrby",
  "ts.decrby",
  "ts.del",
  "ts.get",
  "ts.info",
  "ts.range",
  "ts.revrange",
  "bf.add",
  "bf.madd",
  "bf.exists",
  "bf.mexists",
  "bf.reserve",
  "bf.insert",
  "bf.info",
  "cf.add",
  "cf.addnx",
  "cf.exists",
  "cf.del",
  "cf.count",
  "cf.reserve",
  "cf.insert",
  "cf.info",
]);

/** Both arguments are keys (they must share a slot, as the server requires). */
const FIRST_TWO_ARGUMENTS_ARE_KEYS = new Set(["ts.createrule", "ts.deleterule"]);

/** Indexes into `args` (the arguments after the command name) that hold keys. */
export function keyIndexes(lowerName: string, args: readonly RedisArgument[]): number[] {
  if (FIRST_ARGUMENT_IS_KEY.has(lowerName)) return args.length > 0 ? [0] : [];
  if (FIRST_TWO_ARGUMENTS_ARE_KEYS.has(lowerName)) return args.length > 1 ? [0, 1] : [];
  if (lowerName === "json.debug") return args.length > 1 ? [1] : []; // JSON.DEBUG MEMORY key [path]
  if (!exists(lowerName)) return [];
  try {
    return getKeyIndexes(lowerName, args as (string | Buffer | number)[]);
  } catch {
    // Malformed arguments (e.g. a bad numkeys): let the server say what is wrong.
    return [];
  }
}
