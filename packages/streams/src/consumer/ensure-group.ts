import type { RedisConnection } from "@polars-redis/core";
import { LuaScript } from "@polars-redis/core/internal";
import { LUA_STREAM_HELPERS } from "../internal/lua-stream-ids.js";

/**
 * Creates the group when missing (MKSTREAM for a missing stream). "$" becomes the stream's last generated id,
 * and no entries-read counter is ever given: a counter set explicitly comes back stale after an AOF replay or a
 * failover (see check-group.ts), while one Redis derives itself is marked unknown then and re-derived. Redis
 * derives it when the group first reads the first entry left, which counts history trimmed before the group
 * existed as read, not as a gap. Returns "created" or "exists".
 */
const ENSURE_GROUP = new LuaScript(`${LUA_STREAM_HELPERS}
local stream, group, start = KEYS[1], ARGV[1], ARGV[2]
if redis.call('EXISTS', stream) == 0 then
  if start == '$' then start = '0-0' end
  redis.call('XGROUP', 'CREATE', stream, group, start, 'MKSTREAM')
  return 'created'
end
if findgroup(stream, group) then return 'exists' end
local s = totable(redis.call('XINFO', 'STREAM', stream))
if start == '$' then start = s['last-generated-id'] end
local first = s['first-entry']
if s['length'] == 0 and cmpid(s['last-generated-id'], start) > 0 then
  -- everything after the start is gone already: history, not a gap
  start = s['last-generated-id']
elseif first and cmpid(first[1], start) > 0 and s['entries-added'] > s['length'] then
  -- entries before the first one left were trimmed before the group existed: start just before it
  start = predid(first[1])
end
redis.call('XGROUP', 'CREATE', stream, group, start)
return 'created'
`);

export async function ensureGroup(
  conn: RedisConnection,
  stream: string,
  group: string,
  startId: string,
): Promise<"created" | "exists"> {
  const start = startId === "0" ? "0-0" : startId;
  return (await ENSURE_GROUP.run(conn, [stream], [group, start])) as "created" | "exists";
}
