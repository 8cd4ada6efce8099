import type { RedisConnection } from "@polars-redis/core";
import { LUA_STREAM_HELPERS } from "../internal/lua-stream-ids.js";
import { LuaScript } from "../internal/run-script.js";

/**
 * Detects that a stream was trimmed past a group's position, atomically, and records the gap as seen.
 *
 * Redis 7.0 keeps, per group, `entries-read`: while no XDEL tombstone lies ahead of the group it is a plain
 * count of the entries delivered to the group (trimming does not touch it). The stream keeps `entries-added`.
 * So `entries-added - entries-read` is every entry added after the group's position, and subtracting the entries
 * still present after that position leaves the entries that vanished before delivery: the gap. That last number
 * is cheap to know in the two states a consumer keeps passing through: caught up (nothing after the position)
 * or trimmed past (the whole stream is after the position). In between, the check says "undetermined" and is
 * repeated later; the gap does not go away in the meantime, because the counters keep the difference.
 *
 * When a gap is found, the script moves `entries-read` to the exact count (XGROUP SETID to the same id with
 * ENTRIESREAD), so the gap is reported once, by whichever consumer of the group checks first.
 *
 * Reply: { status, last-delivered-id, first-entry-id|"", missing, lag|-1, pending }.
 * status: "ok" | "gap" | "undetermined" | "unknown" (entries-read not valid, e.g. after XDEL) | "nogroup".
 */
const CHECK_GROUP = new LuaScript(`${LUA_STREAM_HELPERS}
local stream, group = KEYS[1], ARGV[1]
if redis.call('EXISTS', stream) == 0 then return {'nogroup', '', '', 0, -1, 0} end
local g = findgroup(stream, group)
if not g then return {'nogroup', '', '', 0, -1, 0} end
local s = totable(redis.call('XINFO', 'STREAM', stream))
local added, length = s['entries-added'], s['length']
local first, last = s['first-entry'], s['last-entry']
local firstid = first and first[1] or ''
local position, read, pending = g['last-delivered-id'], g['entries-read'], g['pending']
if type(read) ~= 'number' then
  local lag = g['lag']
  return {'unknown', position, firstid, 0, type(lag) == 'number' and lag or -1, pending}
end
local after
if length == 0 then after = 0
elseif cmpid(firstid, position) > 0 then after = length
elseif cmpid(position, last[1]) >= 0 then after = 0
else return {'undetermined', position, firstid, 0, added - read, pending} end
local missing = added - read - after
if missing > 0 then
  redis.call('XGROUP', 'SETID', stream, group, position, 'ENTRIESREAD', added - after)
  return {'gap', position, firstid, missing, after, pending}
end
return {'ok', position, firstid, 0, after, pending}
`);

export interface GroupCheck {
  status: "ok" | "gap" | "undetermined" | "unknown" | "nogroup";
  lastDeliveredId: string;
  firstEntryId: string | undefined;
  missing: number;
  lag: number | undefined;
  pending: number;
}

export async function checkGroup(conn: RedisConnection, stream: string, group: string): Promise<GroupCheck> {
  const reply = (await CHECK_GROUP.run(conn, [stream], [group])) as [
    string,
    string,
    string,
    number,
    number,
    number,
  ];
  return {
    status: reply[0] as GroupCheck["status"],
    lastDeliveredId: String(reply[1]),
    firstEntryId: reply[2] === "" ? undefined : String(reply[2]),
    missing: Number(reply[3]),
    lag: Number(reply[4]) < 0 ? undefined : Number(reply[4]),
    pending: Number(reply[5]),
  };
}
