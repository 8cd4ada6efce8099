/**
 * Lua helpers shared by the scripts: stream ids compared as decimal texts (Lua numbers are doubles and would
 * round ids above 2^53), and XINFO's flat field/value arrays turned into tables.
 */
export const LUA_STREAM_HELPERS = `
local function cmpnum(a, b)
  if #a ~= #b then return (#a < #b) and -1 or 1 end
  if a == b then return 0 end
  return (a < b) and -1 or 1
end
local function cmpid(a, b)
  local ams, aseq = string.match(a, "^(%d+)-(%d+)$")
  local bms, bseq = string.match(b, "^(%d+)-(%d+)$")
  local c = cmpnum(ams, bms)
  if c ~= 0 then return c end
  return cmpnum(aseq, bseq)
end
local function totable(flat)
  local t = {}
  for i = 1, #flat, 2 do t[flat[i]] = flat[i + 1] end
  return t
end
local function findgroup(stream, name)
  for _, g in ipairs(redis.call('XINFO', 'GROUPS', stream)) do
    local t = totable(g)
    if t['name'] == name then return t end
  end
  return nil
end
`;
