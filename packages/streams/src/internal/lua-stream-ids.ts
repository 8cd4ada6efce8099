/**
 * Lua helpers shared by the scripts: stream ids compared and decremented as decimal texts (Lua numbers are
 * doubles and would round ids above 2^53; `predid("5-0")` is "4-18446744073709551615"), and XINFO's flat
 * field/value arrays turned into tables.
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
local function decnum(n)
  local digits = {}
  for i = 1, #n do digits[i] = string.byte(n, i) - 48 end
  local i = #digits
  while digits[i] == 0 do digits[i] = 9; i = i - 1 end
  digits[i] = digits[i] - 1
  local text = string.gsub(table.concat(digits), '^0+', '')
  if text == '' then return '0' end
  return text
end
local function predid(id)
  local ms, seq = string.match(id, "^(%d+)-(%d+)$")
  if seq ~= '0' then return ms .. '-' .. decnum(seq) end
  return decnum(ms) .. '-18446744073709551615'
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
