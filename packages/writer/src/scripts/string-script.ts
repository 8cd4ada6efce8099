import { LuaScript } from "../engine/lua-script.js";

/**
 * Writes strings, many keys per call. KEYS: the keys. ARGV[1]: replace | fail; ARGV[2]: a MessagePack array
 * holding, per key: ttl in ms (0 = none), 1, value. SET replaces value and TTL in one step; SET NX is the
 * race-free "fail". Returns per key 1 (written), 0 (skipped: it existed) or an error text.
 */
export const STRING_SCRIPT = new LuaScript(`#!lua
local mode = ARGV[1]
local args = cmsgpack.unpack(ARGV[2])
local out = {}
local a = 1
for i = 1, #KEYS do
  local ttl = args[a]
  local value = args[a + 2]
  a = a + 3
  local call = { 'SET', KEYS[i], value }
  if mode == 'fail' then call[#call + 1] = 'NX' end
  if ttl > 0 then
    call[#call + 1] = 'PX'
    call[#call + 1] = ttl
  end
  local reply = redis.pcall(unpack(call))
  if type(reply) == 'table' and reply.err then
    out[i] = reply.err
  elseif reply == false then
    out[i] = 0
  else
    out[i] = 1
  end
end
return out
`);
