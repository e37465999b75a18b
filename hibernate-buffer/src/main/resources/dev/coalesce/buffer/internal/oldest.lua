-- What one partition holds: { age in ms of its oldest delta, live or in flight, on Redis' clock
-- (-1 if none), live counters, in-flight counters }.
-- KEYS[1] since, KEYS[2] in-flight hash, KEYS[3] live hash.
local since = redis.call('GET', KEYS[1])
local inflightSince = redis.call('HGET', KEYS[2], 'since')
local live = redis.call('HLEN', KEYS[3])
local inflight = 0
if inflightSince then
  -- besides the counters, the in-flight hash holds 'seq' and 'since'
  inflight = redis.call('HLEN', KEYS[2]) - 2
end
local oldest = nil
if since then
  oldest = tonumber(since)
end
if inflightSince and (oldest == nil or tonumber(inflightSince) < oldest) then
  oldest = tonumber(inflightSince)
end
if oldest == nil then
  return {-1, live, inflight}
end
local now = redis.call('TIME')
local age = now[1] * 1000 + math.floor(now[2] / 1000) - oldest
if age < 0 then
  age = 0
end
return {age, live, inflight}
