-- Redis server time in microseconds since the epoch, as {seconds, microseconds}.
local t = redis.call('TIME')
return {tonumber(t[1]), tonumber(t[2])}
