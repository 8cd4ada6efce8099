import { LuaScript } from "@polars-redis/core/internal";

/** The value of the head hash's `layout` field: marks a hash as a cache entry and names its layout version. */
export const LAYOUT = "polars-redis-cache/1";

/**
 * Publishes a staged version: KEYS[1] the head, KEYS[2..] the new chunks; ARGV ttlMs (0: none), reclaimMs,
 * layout, then the head's field/value pairs. Refuses (nothing changes) when the head holds something that is not
 * a cache entry, or when a staged chunk is gone. Otherwise, in one atomic step: replaces the head, gives the new
 * chunks the entry's TTL (or none), and hands the previous generation's chunks a short TTL (reclaimMs), so a
 * reader that fetched the old head a moment ago still finds them, and nothing of the old version outlives it.
 *
 * `#!lua` (Redis 7) matters: a script without flags is checked against maxmemory only at its first deny-oom
 * command, here HSET, after `DEL head` already ran; the old version would be gone and its chunks orphaned.
 * With the shebang the whole call is refused with OOM before it runs. The other scripts only delete or
 * expire, which must work at maxmemory too (allow-oom).
 */
export const PUBLISH = new LuaScript(`#!lua
local head = KEYS[1]
local ttl = tonumber(ARGV[1])
local reclaim = tonumber(ARGV[2])
local layout = ARGV[3]
local kind = redis.call('TYPE', head)['ok']
local old = nil
if kind == 'hash' then
  old = redis.call('HMGET', head, 'layout', 'gen', 'chunks', 'base')
  if old[1] ~= layout then
    return redis.error_reply('WRONGTYPE ' .. head .. ' is a hash that is not a polars-redis cache entry; it was not overwritten')
  end
elseif kind ~= 'none' then
  return redis.error_reply('WRONGTYPE ' .. head .. ' holds a ' .. kind .. ', not a polars-redis cache entry; it was not overwritten')
end
for i = 2, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 0 then
    return redis.error_reply('NOCHUNK chunk ' .. (i - 2) .. ' of the new version is gone (its staging TTL ran out before publishing); nothing was published')
  end
end
redis.call('DEL', head)
redis.call('HSET', head, unpack(ARGV, 4))
if ttl > 0 then
  redis.call('PEXPIRE', head, ttl)
  for i = 2, #KEYS do redis.call('PEXPIRE', KEYS[i], ttl) end
else
  for i = 2, #KEYS do redis.call('PERSIST', KEYS[i]) end
end
if old and old[2] then
  for i = 0, (tonumber(old[3]) or 0) - 1 do
    local chunk = old[4] .. old[2] .. ':' .. i
    if reclaim > 0 then
      local left = redis.call('PTTL', chunk)
      if left == -1 or left > reclaim then redis.call('PEXPIRE', chunk, reclaim) end
    else
      redis.call('DEL', chunk)
    end
  end
end
return 1
`);

/** Deletes an entry (head and chunks) atomically: 1 if there was one, 0 if not; WRONGTYPE for other data. */
export const DELETE = new LuaScript(`#!lua flags=allow-oom
local head = KEYS[1]
local kind = redis.call('TYPE', head)['ok']
if kind == 'none' then return 0 end
if kind ~= 'hash' then
  return redis.error_reply('WRONGTYPE ' .. head .. ' holds a ' .. kind .. ', not a polars-redis cache entry; it was not deleted')
end
local old = redis.call('HMGET', head, 'layout', 'gen', 'chunks', 'base')
if old[1] ~= ARGV[1] then
  return redis.error_reply('WRONGTYPE ' .. head .. ' is a hash that is not a polars-redis cache entry; it was not deleted')
end
for i = 0, (tonumber(old[3]) or 0) - 1 do redis.call('DEL', old[4] .. old[2] .. ':' .. i) end
redis.call('DEL', head)
return 1
`);

/** Extends a lock still held by this token: KEYS[1] lock, ARGV token, ttlMs. 1 if extended, 0 if lost. */
export const EXTEND_LOCK = new LuaScript(`#!lua flags=allow-oom
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`);

/** Releases a lock still held by this token: KEYS[1] lock, ARGV token. */
export const RELEASE_LOCK = new LuaScript(`#!lua flags=allow-oom
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);
