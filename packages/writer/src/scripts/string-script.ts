import { LuaScript } from "../engine/lua-script.js";

/**
 * Writes strings, many keys per call. KEYS: the keys. ARGV[1]: replace | fail; then per key: ttl in ms
 * (0 = none), 1, value. SET replaces value and TTL in one step; SET NX is the race-free "fail".
 * Returns per key 1 (written), 0 (skipped: it existed) or an error text.
 */
export const STRING_SCRIPT = new LuaScript(`#!lua
local mode = ARGV[1]
local out = {}
local a = 2
for i = 1, #KEYS do
  local ttl = tonumber(ARGV[a])
  local value = ARGV[a + 2]
  a = a + 3
  local args = { 'SET', KEYS[i], value }
  if mode == 'fail' then args[#args + 1] = 'NX' end
  if ttl > 0 then
    args[#args + 1] = 'PX'
    args[#args + 1] = ttl
  end
  local reply = redis.pcall(unpack(args))
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
