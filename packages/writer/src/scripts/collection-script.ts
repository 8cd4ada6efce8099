import { LuaScript } from "../engine/lua-script.js";

/**
 * Writes hashes (HSET), sets (SADD), sorted sets (ZADD) and lists (RPUSH), many keys per call, each key
 * atomically. KEYS: the keys. ARGV[1]: replace | append | fail; ARGV[2]: the command; ARGV[3]: arguments per
 * command (even, so field/value and score/member pairs stay together; Lua's unpack is limited to ~8000 values);
 * ARGV[4]: a MessagePack array holding, per key: ttl in ms (0 = none), n, and n arguments.
 *
 * In replace mode one DEL of all the call's keys comes first (cheaper than one per key; the script is atomic
 * anyway) and also drops old TTLs, so each key ends up exactly as written.
 * Returns the number of keys when every key was written; otherwise, per key, 1 (written), 0 (skipped: it
 * existed, in fail mode) or the error text of the failing command.
 */
export const COLLECTION_SCRIPT = new LuaScript(`#!lua
local mode, command, step = ARGV[1], ARGV[2], tonumber(ARGV[3])
local args = cmsgpack.unpack(ARGV[4])
if mode == 'replace' then redis.call('DEL', unpack(KEYS)) end
local out = {}
local complete = true
local a = 1
for i = 1, #KEYS do
  local key = KEYS[i]
  local ttl = args[a]
  local first = a + 2
  local last = a + 1 + args[a + 1]
  a = last + 1
  if mode == 'fail' and redis.call('EXISTS', key) == 1 then
    out[i] = 0
    complete = false
  else
    local status = 1
    for s = first, last, step do
      local reply = redis.pcall(command, key, unpack(args, s, math.min(s + step - 1, last)))
      if type(reply) == 'table' and reply.err then
        status = reply.err
        complete = false
        break
      end
    end
    if status == 1 and ttl > 0 then redis.call('PEXPIRE', key, ttl) end
    out[i] = status
  end
end
if complete then return #KEYS end
return out
`);

/** Arguments per command inside the collection script. */
export const COLLECTION_STEP = 1000;
