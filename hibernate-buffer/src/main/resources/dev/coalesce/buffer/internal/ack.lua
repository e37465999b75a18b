-- Drops a partition's in-flight hash once the database holds it, if it still carries this
-- flush's sequence number. KEYS[1] in-flight hash; ARGV[1] sequence number. Returns 1 if dropped.
if redis.call('HGET', KEYS[1], 'seq') == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
