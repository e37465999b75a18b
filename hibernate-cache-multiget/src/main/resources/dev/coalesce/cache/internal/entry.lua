-- One atomic step of the multi-get cache on one entry (KEYS[1]); ARGV[1] names the step.
-- KEYS[2], where given, is the clear key of the entry's region: the time of its last clear (same
-- hash slot on a cluster). A value or item stamped before it is gone: treated as absent.
-- Step 'many' runs the write-backs of a load in one call: KEYS[1] is the clear key they share (one
-- region, one hash slot), KEYS[2..] the entries, and ARGV[2] all their steps, one after another,
-- each a fixed header and a record (one argument, not seven per entry: the client encodes each
-- argument separately, and that was most of a cold load's client time):
--   kind(1: 'p' put-from-load, 'a' add, 'r' refresh) started(16) ttl(16) max-age(16) minimal(1)
--   length(8) record(length)
-- It returns each step's answer in order.
-- Record layout (see Records.java):
--   value '1V' timestamp(16) payload
--   item  '1I' timestamp(16) version(21) payload
--   lock  '1L' token(16) holders(4) timeout(16) unlocked-at(16) concurrent(1)
-- Times are Redis TIME in microseconds, so every node stamps with one clock.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])

local function pad(n)
  return string.format('%016d', n)
end

local function parse(cur)
  if not cur or string.sub(cur, 1, 1) ~= '1' then
    return nil
  end
  local kind = string.sub(cur, 2, 2)
  if kind == 'I' and string.len(cur) >= 39 then
    return {kind = 'I', ts = tonumber(string.sub(cur, 3, 18)), version = string.sub(cur, 19, 39)}
  elseif kind == 'V' and string.len(cur) >= 18 then
    return {kind = 'V', ts = tonumber(string.sub(cur, 3, 18))}
  elseif kind == 'L' and string.len(cur) == 55 then
    return {kind = 'L', token = string.sub(cur, 3, 18), holders = tonumber(string.sub(cur, 19, 22)),
            timeout = tonumber(string.sub(cur, 23, 38)), unlocked = tonumber(string.sub(cur, 39, 54)),
            concurrent = string.sub(cur, 55, 55)}
  end
  return nil
end

local function live(e)
  return e ~= nil and e.kind == 'L' and e.holders > 0 and now < e.timeout
end

-- Only a transaction that started after a lock's last writer left (or its timeout) has read
-- committed data.
local function started_after_release(e, started)
  local released = e.unlocked
  if e.holders > 0 then
    if now < e.timeout then return false end
    released = e.timeout
  end
  return started > released
end

-- Add-if-absent (after-insert, and loads into READ_ONLY/NONSTRICT regions): into an absent key, or
-- over the trace of writers that all left before the adding transaction started; never over a
-- value, an item or a live lock.
local function addable(raw, e, started)
  if not raw then return true end
  return e ~= nil and e.kind == 'L' and started_after_release(e, started)
end

local function write_lock(key, token, holders, timeout, unlocked, concurrent, ttl_ms)
  redis.call('SET', key, '1L' .. token .. string.format('%04d', holders) .. pad(timeout)
    .. pad(unlocked) .. concurrent, 'PX', ttl_ms)
end

-- An unlocked lock released now: hides any value and refuses the put-from-loads of every
-- transaction that started before now.
local function invalidate(key, ttl_ms)
  write_lock(key, '0000000000000000', 0, now, now, '0', ttl_ms)
end

-- Stores a loaded value with its ttl in ms (0: none).
local function set_value(key, record, ttl_ms)
  if tonumber(ttl_ms) > 0 then
    redis.call('SET', key, record, 'PX', ttl_ms)
  else
    redis.call('SET', key, record)
  end
end

-- The time of a region's last clear (0: never), from its clear key.
local function cleared_at(clear_key)
  if not clear_key then return 0 end
  return tonumber(redis.call('GET', clear_key) or '0') or 0
end

-- One step on the entry at key, in a region last cleared at cleared; ARG[1] names the step,
-- ARG[2..] are its arguments.
local function step(key, cleared, ARG)
  if ARG[1] == 'put-from-load' or ARG[1] == 'add' then
    -- The usual case of a load, an absent key, in one command: SET NX does what the full rule
    -- below does there (after the checks that need no entry); a present key goes the long way.
    local started = tonumber(ARG[2])
    if started <= cleared or now - started > tonumber(ARG[5]) then
      return 0
    end
    local stored
    if tonumber(ARG[4]) > 0 then
      stored = redis.call('SET', key, ARG[3], 'PX', ARG[4], 'NX')
    else
      stored = redis.call('SET', key, ARG[3], 'NX')
    end
    if stored then
      return 1
    end
  end
  local raw = redis.call('GET', key)
  local e = parse(raw)
  if cleared > 0 and e ~= nil and e.kind ~= 'L' and (e.ts == nil or e.ts < cleared) then
    -- written before the region's last clear: gone
    e = nil
    raw = false
  end

  if ARG[1] == 'lock' then
    -- ARGV: token, timeout (us), lock ttl (ms). Returns the token of the lock now held.
    if live(e) then
      local holders = e.holders + 1
      if holders > 9999 then holders = 9999 end
      write_lock(key, e.token, holders, now + tonumber(ARG[3]), e.unlocked, '1', ARG[4])
      return e.token
    end
    write_lock(key, ARG[2], 1, now + tonumber(ARG[3]), now, '0', ARG[4])
    return ARG[2]

  elseif ARG[1] == 'unlock' or ARG[1] == 'after-update' then
    -- ARGV: token, lock ttl (ms) [, version, payload, ttl (ms)]. Returns 1 if the value was cached.
    if e ~= nil and e.kind == 'L' and e.token == ARG[2] and e.holders > 0 then
      -- A lock taken before the region's last clear may guard a value the clear was to remove
      -- (a bulk update after this writer's commit): only unlock.
      if ARG[1] == 'after-update' and e.holders == 1 and e.concurrent == '0' and e.unlocked >= cleared then
        redis.call('SET', key, '1I' .. pad(now) .. ARG[4] .. ARG[5], 'PX', ARG[6])
        return 1
      end
      -- A lock that saw several writers never takes a writer's value: after the last one leaves,
      -- only transactions that start later may fill it.
      local holders = e.holders - 1
      local unlocked = e.unlocked
      if holders == 0 then unlocked = now end
      write_lock(key, e.token, holders, e.timeout, unlocked, e.concurrent, ARG[3])
      return 0
    end
    if live(e) then
      return 0
    end
    -- Our lock expired or was evicted meanwhile: whatever is cached may predate our commit.
    invalidate(key, ARG[3])
    return 0

  elseif ARG[1] == 'after-insert' then
    -- ARGV: version, payload, ttl (ms), transaction start (us)
    local started = tonumber(ARG[5])
    if started <= cleared or not addable(raw, e, started) then
      return 0
    end
    redis.call('SET', key, '1I' .. pad(now) .. ARG[2] .. ARG[3], 'PX', ARG[4])
    return 1

  elseif ARG[1] == 'add' then
    -- ARGV: transaction start (us), value record, ttl (ms; 0: none), max transaction age (us; checked
    -- above, as for put-from-load). Add-if-absent of a loaded value.
    local started = tonumber(ARG[2])
    if started <= cleared or not addable(raw, e, started) then
      return 0
    end
    set_value(key, ARG[3], ARG[4])
    return 1

  elseif ARG[1] == 'clear' then
    -- KEYS[1] is a region's clear key: everything of the region stamped before now is gone.
    redis.call('SET', key, pad(now))
    return 1

  elseif ARG[1] == 'refresh' then
    -- ARGV: transaction start (us), value record, ttl (ms; 0: none), max transaction age (us).
    -- CacheMode.REFRESH of a loaded value (READ_ONLY, NONSTRICT_READ_WRITE): replaces it, unless
    -- cleared since, older than the maximum age (it may have read a row whose invalidation marker
    -- has expired), or under a writer's lock the transaction did not start after.
    local started = tonumber(ARG[2])
    if started <= cleared or now - started > tonumber(ARG[5]) or (e ~= nil and e.kind == 'L' and not started_after_release(e, started)) then
      return 0
    end
    set_value(key, ARG[3], ARG[4])
    return 1

  elseif ARG[1] == 'put-from-load' then
    -- ARGV: transaction start (us), item record, ttl (ms), max transaction age (us), minimal put
    local started = tonumber(ARG[2])
    if started <= cleared then
      -- it may have read a row that the clear was to remove
      return 0
    end
    if now - started > tonumber(ARG[5]) then
      -- Older than any lock or invalidation we still remember: it may have read a value a writer
      -- replaced and whose trace has expired.
      return 0
    end
    if e == nil or e.kind == 'V' then
      redis.call('SET', key, ARG[3], 'PX', ARG[4])
      return 1
    end
    if e.kind == 'L' then
      if started_after_release(e, started) then
        redis.call('SET', key, ARG[3], 'PX', ARG[4])
        return 1
      end
      return 0
    end
    if ARG[6] == '1' then
      return 0
    end
    local version = string.sub(ARG[3], 19, 39)
    if string.sub(version, 1, 1) == 'v' and string.sub(e.version, 1, 1) == 'v' and e.version < version then
      redis.call('SET', key, ARG[3], 'PX', ARG[4])
      return 1
    end
    return 0

  elseif ARG[1] == 'remove' then
    -- Deletes the entry unless a writer's lock is on it.
    if e ~= nil and e.kind == 'L' then
      return 0
    end
    return redis.call('DEL', key)

  elseif ARG[1] == 'invalidate' then
    -- ARGV: lock ttl (ms)
    if live(e) then
      return 0
    end
    invalidate(key, ARG[2])
    return 1

  elseif ARG[1] == 'delete-if-equals' then
    -- ARGV: the value that failed to decode
    if redis.call('GET', key) == ARG[2] then
      return redis.call('DEL', key)
    end
    return 0
  end
  return redis.error_reply('unknown step ' .. tostring(ARG[1]))
end

if ARGV[1] == 'many' then
  local cleared = cleared_at(KEYS[1])
  local steps = ARGV[2]
  local names = {p = 'put-from-load', a = 'add', r = 'refresh'}
  local answers = {}
  local pos = 1
  for i = 2, #KEYS do
    local length = tonumber(string.sub(steps, pos + 50, pos + 57))
    local ARG = {
      names[string.sub(steps, pos, pos)],
      tonumber(string.sub(steps, pos + 1, pos + 16)),
      string.sub(steps, pos + 58, pos + 57 + length),
      tonumber(string.sub(steps, pos + 17, pos + 32)),
      tonumber(string.sub(steps, pos + 33, pos + 48)),
      string.sub(steps, pos + 49, pos + 49)}
    pos = pos + 58 + length
    answers[i - 1] = step(KEYS[i], cleared, ARG)
  end
  return answers
end
return step(KEYS[1], cleared_at(KEYS[2]), ARGV)
