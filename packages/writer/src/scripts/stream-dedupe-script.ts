import { LuaScript } from "../engine/lua-script.js";

/**
 * Adds stream entries under server-assigned ids, remembering each row's id so that a replay adds nothing twice,
 * whatever the row ids look like and however many sources feed the stream. KEYS: per stream, the stream then
 * its set of seen row ids (a sorted set scored by the time it was seen, same slot). ARGV[1]: "append";
 * ARGV[2]: how long a row id is remembered, in ms; ARGV[3..5]: trim strategy, "~" or "=", threshold (as in the
 * stream script); ARGV[6]: a MessagePack array holding, per stream: ttl in ms (0 = none), n, and n arguments
 * made of entries: row id, m, m field/value args.
 * A row id already in the set is an entry added before (a replay): counted as written, not added again.
 * Returns the number of streams when all were written; otherwise per stream 1 or the error text.
 */
export const STREAM_DEDUPE_SCRIPT = new LuaScript(`#!lua
local window, strategy, operator, threshold = tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5]
local args = cmsgpack.unpack(ARGV[6])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local out = {}
local complete = true
local a = 1
for i = 1, #KEYS / 2 do
  local key, seen = KEYS[2 * i - 1], KEYS[2 * i]
  local ttl = args[a]
  local p = a + 2
  local last = a + 1 + args[a + 1]
  a = last + 1
  redis.call('ZREMRANGEBYSCORE', seen, '-inf', '(' .. (now - window))
  local status = 1
  while p <= last do
    local rowId = args[p]
    local m = tonumber(args[p + 1])
    if redis.call('ZADD', seen, 'NX', now, rowId) == 1 then
      local reply
      if strategy == '' then
        reply = redis.pcall('XADD', key, '*', unpack(args, p + 2, p + 1 + m))
      else
        reply = redis.pcall('XADD', key, strategy, operator, threshold, '*', unpack(args, p + 2, p + 1 + m))
      end
      if type(reply) == 'table' and reply.err then
        redis.call('ZREM', seen, rowId)
        status = reply.err
        complete = false
        break
      end
    end
    p = p + 2 + m
  end
  redis.call('PEXPIRE', seen, window)
  if status == 1 and ttl > 0 then redis.call('PEXPIRE', key, ttl) end
  out[i] = status
end
if complete then return #KEYS / 2 end
return out
`);
