-- Age in ms of the oldest delta one partition holds, live or in flight, on Redis' clock; -1 if none.
-- KEYS[1] since, KEYS[2] in-flight hash.
local since = redis.call('GET', KEYS[1])
local inflightSince = redis.call('HGET', KEYS[2], 'since')
local oldest = nil
if since then
  oldest = tonumber(since)
end
if inflightSince and (oldest == nil or tonumber(inflightSince) < oldest) then
  oldest = tonumber(inflightSince)
end
if oldest == nil then
  return -1
end
local now = redis.call('TIME')
local age = now[1] * 1000 + math.floor(now[2] / 1000) - oldest
if age < 0 then
  return 0
end
return age
