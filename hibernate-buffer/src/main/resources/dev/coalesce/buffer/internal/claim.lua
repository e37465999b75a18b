-- Claims one partition for flushing.
-- KEYS[1] live hash, KEYS[2] in-flight hash, KEYS[3] sequence counter, KEYS[4] since
-- ARGV[1] max rows, ARGV[2] the highest sequence number the database ledger holds
-- Returns the in-flight hash as field, value, ... with the fields 'seq' and 'since' besides the
-- counters ('entity|attribute|id'), or an empty array when there is nothing to flush.
-- An existing in-flight hash is returned as it is: a flush that did not ack is recovered.
local existing = redis.call('HGETALL', KEYS[2])
if #existing > 0 then
  return existing
end
local all = redis.call('HGETALL', KEYS[1])
if #all == 0 then
  return {}
end
local maxRows = tonumber(ARGV[1])
local rows = {}
local rowCount = 0
local taken = {}
local moved = {}
for i = 1, #all, 2 do
  local field = all[i]
  local first = string.find(field, '|', 1, true)
  local second = first and string.find(field, '|', first + 1, true)
  local row = field
  if second then
    row = string.sub(field, 1, first) .. string.sub(field, second + 1)
  end
  if rows[row] or rowCount < maxRows then
    if not rows[row] then
      rows[row] = true
      rowCount = rowCount + 1
    end
    taken[#taken + 1] = field
    if all[i + 1] ~= '0' then
      moved[#moved + 1] = field
      moved[#moved + 1] = all[i + 1]
    end
  end
end
for i = 1, #taken, 500 do
  redis.call('HDEL', KEYS[1], unpack(taken, i, math.min(i + 499, #taken)))
end
local since = redis.call('GET', KEYS[4])
if redis.call('HLEN', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[4])
end
if #moved == 0 then
  return {}
end
local seq = redis.call('INCR', KEYS[3])
local floor = tonumber(ARGV[2])
if seq <= floor then
  seq = floor + 1
  redis.call('SET', KEYS[3], seq)
end
for i = 1, #moved, 1000 do
  redis.call('HSET', KEYS[2], unpack(moved, i, math.min(i + 999, #moved)))
end
redis.call('HSET', KEYS[2], 'seq', seq)
if since then
  redis.call('HSET', KEYS[2], 'since', since)
end
return redis.call('HGETALL', KEYS[2])
