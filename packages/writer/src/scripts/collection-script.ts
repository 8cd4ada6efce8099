import { LuaScript } from "../engine/lua-script.js";

/**
 * Writes hashes (HSET), sets (SADD), sorted sets (ZADD) and lists (RPUSH), many keys per call, each key
 * atomically. KEYS: the keys. ARGV[1]: replace | append | fail; ARGV[2]: the command; ARGV[3]: arguments per
 * command (even, so field/value and score/member pairs stay together; Lua's unpack is limited to ~8000 values);
 * then per key: ttl in ms (0 = none), n, and n arguments.
 * Returns per key 1 (written), 0 (skipped: it existed, in fail mode) or the error text of the failing command.
 * In replace mode DEL also drops the old TTL, so the key ends up exactly as written.
 */
export const COLLECTION_SCRIPT = new LuaScript(`#!lua
local mode, command, step = ARGV[1], ARGV[2], tonumber(ARGV[3])
local out = {}
local a = 4
for i = 1, #KEYS do
  local key = KEYS[i]
  local ttl = tonumber(ARGV[a])
  local first = a + 2
  local last = a + 1 + tonumber(ARGV[a + 1])
  a = last + 1
  if mode == 'fail' and redis.call('EXISTS', key) == 1 then
    out[i] = 0
  else
    if mode == 'replace' then redis.call('DEL', key) end
    local status = 1
    for s = first, last, step do
      local reply = redis.pcall(command, key, unpack(ARGV, s, math.min(s + step - 1, last)))
      if type(reply) == 'table' and reply.err then
        status = reply.err
        break
      end
    end
    if status == 1 and ttl > 0 then redis.call('PEXPIRE', key, ttl) end
    out[i] = status
  end
end
return out
`);

/** Arguments per command inside the collection script. */
export const COLLECTION_STEP = 1000;
