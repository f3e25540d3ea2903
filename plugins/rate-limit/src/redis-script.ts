/**
 * The one Redis round trip of a rate limit call: a Lua script (atomic on the server) that adds
 * the hits to every counter of the request and gives each new counter its expiry, and returns
 * the counts. ioredis sends it as EVALSHA and falls back to EVAL once after Redis lost its
 * script cache (a restart).
 *
 *   KEYS[i]   counter i (prefix + descriptor + window)
 *   ARGV[1]   hits to add
 *   ARGV[i+1] milliseconds counter i lives from now (to its window's end, plus a grace)
 *
 * The expiry is set only when the key has none (it was just created), so it marks the end of
 * the window, not the last hit.
 */
export const INCREMENT_SCRIPT = `
local counts = {}
for i, key in ipairs(KEYS) do
  counts[i] = redis.call('INCRBY', key, ARGV[1])
  if redis.call('PTTL', key) < 0 then
    redis.call('PEXPIRE', key, ARGV[i + 1])
  end
end
return counts
`;

/** A counter outlives its window by this much, for proxies whose clocks are a little behind. */
export const EXPIRY_GRACE_MS = 1_000;
