/**
 * The Lua behind each `redisStore` operation: one script per limiter step, so every step is atomic
 * on its key however many gateway instances share the server. Time comes from the Redis server
 * (`TIME`), so instances with skewed clocks still agree. ioredis sends each script once per
 * connection (EVAL) and by hash afterwards (EVALSHA), re-sending it when the server answers
 * NOSCRIPT (after a restart or SCRIPT FLUSH).
 *
 * The GCRA arithmetic mirrors stores/gcra.ts; keep the two alike.
 */

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
`;

// %.17g keeps a sub-millisecond TAT exact; Lua's tostring would round it to 14 digits.
const GCRA_PRELUDE = `${NOW}
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local interval = window / limit
local eps = 1e-6
local tat = tonumber(redis.call('GET', KEYS[1]))
if tat == nil or tat < now then tat = now end
local function store(at)
  if at > now then
    redis.call('SET', KEYS[1], string.format('%.17g', at), 'PX', math.ceil(at - now))
  else
    redis.call('DEL', KEYS[1])
  end
end
`;

/** KEYS[1] bucket; ARGV limit, windowMs, cost → {allowed, remaining, resetMs, retryAfterMs}. */
export const CONSUME = `${GCRA_PRELUDE}
local cost = tonumber(ARGV[3])
local function units(spare)
  if spare <= 0 then return 0 end
  return math.floor(spare / interval + eps)
end
local nxt = tat + cost * interval
if nxt - now <= window + eps then
  store(nxt)
  return {1, units(window - (nxt - now)), math.ceil(nxt - now), 0}
end
local retry = math.ceil(nxt - window - now)
if retry < 1 then retry = 1 end
return {0, units(window - (tat - now)), math.ceil(tat - now), retry}
`;

/** KEYS[1] bucket; ARGV limit, windowMs, delta → 1. */
export const ADJUST = `${GCRA_PRELUDE}
store(tat + tonumber(ARGV[3]) * interval)
return 1
`;

/** KEYS[1] counter; ARGV amount, ttlMs (0 = none) → the new total, as a string (Lua would truncate a float). */
export const INCREMENT = `
local total = redis.call('INCRBYFLOAT', KEYS[1], ARGV[1])
local ttl = tonumber(ARGV[2])
if ttl > 0 and redis.call('PTTL', KEYS[1]) == -1 then redis.call('PEXPIRE', KEYS[1], ttl) end
return total
`;

/** KEYS[1] lease set (member → expiry); ARGV id, limit, leaseMs → {acquired, held}. */
export const ACQUIRE = `${NOW}
local id = ARGV[1]
local limit = tonumber(ARGV[2])
local lease = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local held = redis.call('ZCARD', KEYS[1])
if held >= limit and not redis.call('ZSCORE', KEYS[1], id) then return {0, held} end
redis.call('ZADD', KEYS[1], now + lease, id)
if redis.call('PTTL', KEYS[1]) < lease then redis.call('PEXPIRE', KEYS[1], math.ceil(lease)) end
return {1, redis.call('ZCARD', KEYS[1])}
`;
