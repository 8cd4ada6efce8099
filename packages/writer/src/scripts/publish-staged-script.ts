import { LuaScript } from "../engine/lua-script.js";

/**
 * Publishes a value staged under a temporary key (same slot) onto its key in one atomic step.
 * KEYS[1]: the key; KEYS[2]: the staged value. ARGV[1]: replace | fail; ARGV[2]: ttl in ms (0 = none).
 * Returns 1 (written), 0 (skipped: the key existed, in fail mode; the staged value is dropped) or an error.
 */
export const PUBLISH_STAGED_SCRIPT = new LuaScript(`#!lua
if ARGV[1] == 'fail' and redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('DEL', KEYS[2])
  return 0
end
local reply = redis.pcall('RENAME', KEYS[2], KEYS[1])
if type(reply) == 'table' and reply.err then return reply.err end
local ttl = tonumber(ARGV[2])
if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) else redis.call('PERSIST', KEYS[1]) end
return 1
`);
