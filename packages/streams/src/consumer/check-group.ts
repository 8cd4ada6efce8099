import type { RedisConnection } from "@polars-redis/core";
import { LuaScript } from "@polars-redis/core/internal";
import { LUA_STREAM_HELPERS } from "../internal/lua-stream-ids.js";

/**
 * Detects that a stream was trimmed past a group's position, atomically, and records the gap as seen.
 *
 * What a trim leaves behind, in the three shapes a stream can have relative to the group's position P
 * (`last-delivered-id`, which Redis keeps right through restarts and failovers):
 * - empty: entries were added after P (last-generated-id > P) and all are gone: a gap, certainly;
 * - the first entry at or before P: a trim removes the oldest entries, so nothing after P was trimmed: no gap;
 * - every entry after P: a gap exactly when entries between P and the first entry existed. Only counters can
 *   tell: `entries-added - entries-read - length` of them (exact while no XDEL tombstone lies at or after the
 *   first entry, i.e. `max-deleted-entry-id` is before it).
 *
 * The group's `entries-read` counter is the fragile part. Redis 7.0 replays a group's reads from the AOF (and
 * sends them to replicas) as `XCLAIM ... LASTID` without the counter: a counter that was ever set explicitly
 * (XGROUP CREATE/SETID ... ENTRIESREAD) comes back stale after a kill -9 + AOF restart or a failover (it read 0
 * with 10,000 entries delivered), and a gap check that trusts it reports entries "never delivered" that were.
 * So these scripts never set the counter: without it Redis marks it unknown after a replay and re-derives it
 * itself when the group next reaches the first or last entry; the check reports a gap from the counter only
 * while Redis vouches for it, and otherwise says nothing (see docs/streams.md for that window). A counter
 * proven wrong (group at the stream's last id, counter not equal to entries-added: a group created elsewhere
 * with ENTRIESREAD) is reset to unknown the same way.
 *
 * On a gap the script moves the group to just before the first entry left (or to the last id of an empty
 * stream) with XGROUP SETID, so the gap is reported once, by whichever consumer of the group checks first.
 *
 * Reply: { status, last-delivered-id, first-entry-id|"", missing|-1, lag|-1, pending, last-generated-id }.
 * status: "ok" | "gap" | "nogroup".
 */
const CHECK_GROUP = new LuaScript(`${LUA_STREAM_HELPERS}
local stream, group = KEYS[1], ARGV[1]
if redis.call('EXISTS', stream) == 0 then return {'nogroup', '', '', -1, -1, 0, ''} end
local g = findgroup(stream, group)
if not g then return {'nogroup', '', '', -1, -1, 0, ''} end
local s = totable(redis.call('XINFO', 'STREAM', stream))
local added, length, maxdel, lastgen = s['entries-added'], s['length'], s['max-deleted-entry-id'], s['last-generated-id']
local first, last = s['first-entry'], s['last-entry']
local firstid = first and first[1] or ''
local position, read, pending = g['last-delivered-id'], g['entries-read'], g['pending']
local counted = type(read) == 'number'
if length == 0 then
  if cmpid(lastgen, position) > 0 then
    local missing = -1
    if counted and added - read > 0 then missing = added - read end
    redis.call('XGROUP', 'SETID', stream, group, lastgen)
    return {'gap', position, '', missing, 0, pending, lastgen}
  end
  return {'ok', position, '', -1, 0, pending, lastgen}
end
if cmpid(firstid, position) <= 0 then
  local lag = -1
  if cmpid(position, last[1]) >= 0 then lag = 0
  elseif counted then lag = math.max(0, math.min(added - read, length)) end
  if counted and cmpid(position, lastgen) >= 0 and read ~= added then
    redis.call('XGROUP', 'SETID', stream, group, position)
  end
  return {'ok', position, firstid, -1, lag, pending, lastgen}
end
if counted and cmpid(maxdel, firstid) < 0 and added - read - length > 0 then
  redis.call('XGROUP', 'SETID', stream, group, predid(firstid))
  return {'gap', position, firstid, added - read - length, length, pending, lastgen}
end
return {'ok', position, firstid, -1, length, pending, lastgen}
`);

export interface GroupCheck {
  status: "ok" | "gap" | "nogroup";
  lastDeliveredId: string;
  firstEntryId: string | undefined;
  /** Entries trimmed before the group read them (gap); undefined when Redis does not know the count. */
  missing: number | undefined;
  lag: number | undefined;
  pending: number;
  /** The stream's last generated id: the next entry's id will be greater. */
  lastGeneratedId: string;
}

export async function checkGroup(conn: RedisConnection, stream: string, group: string): Promise<GroupCheck> {
  const reply = (await CHECK_GROUP.run(conn, [stream], [group])) as [
    string,
    string,
    string,
    number,
    number,
    number,
    string,
  ];
  return {
    status: reply[0] as GroupCheck["status"],
    lastDeliveredId: String(reply[1]),
    firstEntryId: reply[2] === "" ? undefined : String(reply[2]),
    missing: Number(reply[3]) < 0 ? undefined : Number(reply[3]),
    lag: Number(reply[4]) < 0 ? undefined : Number(reply[4]),
    pending: Number(reply[5]),
    lastGeneratedId: String(reply[6]),
  };
}

/** The smallest id after `id` ("5-3" → "5-4"): where an empty stream's next entry can start at the earliest. */
export function nextStreamId(id: string): string {
  const [ms = "0", seq = "0"] = id.split("-");
  const next = BigInt(seq) + 1n;
  return next > 0xffff_ffff_ffff_ffffn ? `${BigInt(ms) + 1n}-0` : `${ms}-${next}`;
}
