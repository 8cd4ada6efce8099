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
 * A script writing many keys per call. KEYS: the keys. ARGV[1]: replace | append | fail; ARGV[payloadArgv]: a
 * MessagePack array holding, per key: ttl in ms (0 = none), n, and n arguments. The shared loop skips a key
 * that exists in fail mode (0), runs `writeKey`, then sets the TTL of a key written; per key, `out` holds 1
 * (written), 0 (skipped) or the error text.
 */
export function perKeyScript(parts: PerKeyScriptParts): LuaScript {
  return new LuaScript(`#!lua
local mode = ARGV[1]
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
  if mode == 'fail' and redis.call('EXISTS', key) == 1 then
    out[i] = 0
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
