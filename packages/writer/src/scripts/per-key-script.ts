import { LuaScript } from "../engine/lua-script.js";

/** What differs between the scripts that write many keys per call, each key atomically. */
export interface PerKeyScriptParts {
  /** Lua run once before the keys: reads this script's ARGV between the mode (ARGV[1]) and the payload. */
  readonly setup: string;
  /** The ARGV index of the MessagePack payload. */
  readonly payloadArgv: number;
  /**
   * Lua that writes one key, with these locals: `mode` (replace | append | fail), `key`, `args` (the payload)
   * with `first` and `last` (where the key's arguments are in it), and `status`: 1, or the error text of a
   * failed write (the key then gets no TTL).
   */
  readonly writeKey: string;
  /** Lua that returns the call's result from `out` (per key 1, 0 or an error text). ["return out"] */
  readonly result?: string;
}

/**
 * The per-key status of a key that cannot be replaced in one step on this node right now (see perKeyScript).
 * TRYAGAIN is retryable: nothing of the key was written.
 */
export const MIGRATING_KEY_STATUS =
  "TRYAGAIN the key's slot is being migrated and the key is still on this node: replacing it here could leave it deleted (the write after the delete would be refused), so nothing was written";

/**
 * A script writing many keys per call. KEYS: the keys. ARGV[1]: replace | append | fail; ARGV[payloadArgv]: a
 * MessagePack array holding, per key: ttl in ms (0 = none), n, and n arguments. The shared loop skips a key
 * that exists in fail mode (0), clears a key that exists in replace mode (DEL, so old fields, members and TTL
 * go), runs `writeKey`, then sets the TTL of a key written; per key, `out` holds 1 (written), 0 (skipped) or
 * the error text.
 *
 * Replace never deletes a key it then cannot write. On a cluster node whose slot is being migrated away
 * (MIGRATING), a key that is still here may be deleted, but the write that follows touches a key that is now
 * missing, and Redis refuses that inside a script ("Script attempted to access a non local key"): the key
 * would be lost. So before deleting an existing key the script touches a key of the same slot that does not
 * exist (the key's hash tag, or the key wrapped in one, plus a suffix): if that is refused, the slot is
 * migrating, nothing is written, and the key's status is MIGRATING_KEY_STATUS (retried by the writer; by then
 * the key has usually moved and the call is redirected, as a unit, to its new node). On a node importing the
 * slot (after ASK) and everywhere else the probe is allowed. A key without a hash tag that contains "}" has no
 * such same-slot name and is deleted without the probe.
 */
export function perKeyScript(parts: PerKeyScriptParts): LuaScript {
  return new LuaScript(`#!lua
local mode = ARGV[1]
local function same_slot_missing_key(key)
  local open = string.find(key, '{', 1, true)
  if open then
    local close = string.find(key, '}', open + 1, true)
    if close and close > open + 1 then return key .. ':polars-redis:probe' end
  end
  if string.find(key, '}', 1, true) then return nil end
  return '{' .. key .. '}:polars-redis:probe'
end
${parts.setup}
local args = cmsgpack.unpack(ARGV[${parts.payloadArgv}])
local out = {}
local a = 1
for i = 1, #KEYS do
  local key = KEYS[i]
  local ttl = args[a]
  local first = a + 2
  local last = a + 1 + args[a + 1]
  a = last + 1
  local exists = mode ~= 'append' and redis.call('EXISTS', key) == 1
  local blocked = false
  if exists and mode == 'replace' then
    local probe = same_slot_missing_key(key)
    local seen = probe and redis.pcall('EXISTS', probe)
    blocked = type(seen) == 'table' and seen.err ~= nil
    if not blocked then redis.call('DEL', key) end
  end
  if exists and mode == 'fail' then
    out[i] = 0
  elseif blocked then
    out[i] = '${MIGRATING_KEY_STATUS.replace(/'/g, "\\'")}'
  else
    local status = 1
${indent(parts.writeKey, "    ")}
    if status == 1 and ttl > 0 then redis.call('PEXPIRE', key, ttl) end
    out[i] = status
  end
end
${parts.result ?? "return out"}
`);
}

function indent(lua: string, prefix: string): string {
  return lua
    .trim()
    .split("\n")
    .map((line) => prefix + line)
    .join("\n");
}
