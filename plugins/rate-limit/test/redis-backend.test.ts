// The Redis backend against a real redis-server (started per test on a free port) and the
// plugin's real executable. Without redis-server these tests fail, telling how to install it.

import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { launchTestPlugin } from '@mosn/plugin-sdk/testing';
import type { LaunchedTestPlugin } from '@mosn/plugin-sdk/testing';
import { Redis } from 'ioredis';
import type { RateLimitConfigInput } from '../src/index.js';
import { hammer, inOneWindow } from './helpers/hammer.js';
import { edge } from './helpers/rate-limit.js';
import { freePort, startRedisServer } from '../src/testing/redis-server.js';
import { timed, waitFor } from './helpers/wait.js';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));
/** Fast enough to come back within a test's deadline; the default is 2s. */
const RECONNECT = { min_delay: '20ms', max_delay: '200ms' };

function redisConfig(url: string, limit: { unit: string; requests_per_unit: number }, redis: Record<string, unknown> = {}): RateLimitConfigInput {
  return edge([{ key: 'remote_address', rate_limit: limit }], { backend: 'redis', redis: { url, reconnect: RECONNECT, ...redis } });
}

async function launch(t: TestContext, config: RateLimitConfigInput): Promise<LaunchedTestPlugin> {
  const plugin = await launchTestPlugin(MAIN, { name: 'rate-limit', config });
  t.after(() => plugin.close());
  return plugin;
}

const connected = (plugin: LaunchedTestPlugin, times = 1) =>
  waitFor(`plugin ${plugin.pid} to connect to redis`, () => plugin.logs.filter((l) => String(l['msg']).startsWith('connected to redis')).length >= times);

/** A client of our own, to look at the keys; closed when the test ends. */
function inspector(t: TestContext, url: string): Redis {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  t.after(() => client.disconnect());
  return client;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('two plugin processes sharing one Redis let exactly the limit through together', async (t) => {
  const redis = await startRedisServer(t);
  const config = redisConfig(redis.url, { unit: 'hour', requests_per_unit: 60 });
  const [a, b] = await Promise.all([launch(t, config), launch(t, config)]);
  await Promise.all([connected(a), connected(b)]);

  const result = await inOneWindow(3_600_000, (attempt) => hammer([a, b], 4, 25, { domain: 'edge', descriptors: [{ remote_address: `10.0.1.${attempt}` }] }));
  assert.deepEqual(result, { ok: 60, over: 2 * 4 * 25 - 60 });
  assert.deepEqual(await Promise.all([a.close(), b.close()]), [0, 0], 'both shut down cleanly, closing their connections');
});

test('counters live in Redis under the prefix and expire after their window', async (t) => {
  const redis = await startRedisServer(t);
  const plugin = await launch(t, redisConfig(redis.url, { unit: 'second', requests_per_unit: 5 }, { key_prefix: 'test:rl:' }));
  await connected(plugin);
  const client = inspector(t, redis.url);
  await client.connect();

  const before = Date.now();
  const status = (await plugin.rateLimit({ domain: 'edge', descriptors: [{ remote_address: '1.2.3.4' }], hitsAddend: 2 })).statuses[0];
  assert.equal(status?.limitRemaining, 3);
  const keys = await client.keys('test:rl:*');
  assert.equal(keys.length, 1);
  const [key] = keys as [string];
  const window = Number(/^test:rl:edge\|remote_address=1\.2\.3\.4\|second@(\d+)$/.exec(key)?.[1]);
  assert.ok(window === Math.floor(before / 1000) || window === Math.floor(before / 1000) + 1, `expected the current second in ${key}`);
  assert.equal(await client.get(key), '2');
  const ttl = await client.pttl(key);
  assert.ok(ttl > 0 && ttl <= 2_000, `expected the key to expire within its window plus 1 s of grace, found a TTL of ${ttl} ms`);
  await waitFor(`${key} to expire`, async () => (await client.exists(key)) === 0, { timeoutMs: 5_000, intervalMs: 50 });
});

test('when Redis stops, calls fail fast and the plugin stays up; when it is back on the same port, counting works again', async (t) => {
  const redis = await startRedisServer(t);
  const plugin = await launch(t, redisConfig(redis.url, { unit: 'hour', requests_per_unit: 100 }));
  await connected(plugin);
  const request = { domain: 'edge', descriptors: [{ remote_address: '1.2.3.4' }] };
  assert.equal((await plugin.rateLimit(request)).overallCode, 'OK');

  await redis.stop();
  const attempts = [];
  for (let i = 0; i < 10; i++) attempts.push(await timed(() => plugin.rateLimit(request)));
  for (const { ms, error } of attempts) {
    assert.match(String((error as Error | undefined)?.message), /rateLimit hook failed: expected (a connection to|an answer from) redis at redis:\/\/127\.0\.0\.1:\d+/);
    assert.ok(ms < 100, `expected the call to fail well under 100 ms, found ${ms.toFixed(1)} ms`);
  }
  assert.ok(alive(plugin.pid), 'the plugin process is still running');
  assert.ok(await plugin.heartbeat(), 'and answers heartbeats');

  await redis.start();
  // The restarted Redis lost its data (no persistence): a fresh counter.
  const back = await waitFor('counting to work again', () => plugin.rateLimit(request), { timeoutMs: 5_000 });
  assert.deepEqual(back.statuses[0]?.limitRemaining, 99);
  assert.equal((await plugin.rateLimit(request)).statuses[0]?.limitRemaining, 98);
  await connected(plugin, 2);
});

test('a slow Redis fails calls at command_timeout, then serves again', async (t) => {
  const redis = await startRedisServer(t);
  const plugin = await launch(t, redisConfig(redis.url, { unit: 'hour', requests_per_unit: 100 }));
  await connected(plugin);
  const client = inspector(t, redis.url);
  await client.connect();
  const request = { domain: 'edge', descriptors: [{ remote_address: '1.2.3.4' }] };

  const sleeping = client.call('DEBUG', 'SLEEP', '0.5');
  const slow = await timed(() => plugin.rateLimit(request));
  assert.match(String((slow.error as Error | undefined)?.message), /expected redis at redis:\/\/127\.0\.0\.1:\d+ to answer within 15 ms \(command_timeout\), found no answer/);
  assert.ok(slow.ms < 100, `expected the call to fail well under 100 ms, found ${slow.ms.toFixed(1)} ms`);
  await sleeping;
  // The answer that came late was not lost either: Redis counted that hit.
  const after = await plugin.rateLimit(request);
  assert.equal(after.statuses[0]?.limitRemaining, 100 - 2);
});

test('max_pending bounds the commands waiting for a stalled Redis: beyond it, calls fail at once', async (t) => {
  const redis = await startRedisServer(t);
  const plugin = await launch(t, redisConfig(redis.url, { unit: 'hour', requests_per_unit: 100 }, { max_pending: 2, command_timeout: '50ms' }));
  await connected(plugin);
  const client = inspector(t, redis.url);
  await client.connect();

  const sleeping = client.call('DEBUG', 'SLEEP', '0.5');
  const calls = await Promise.all(Array.from({ length: 5 }, (_, i) => timed(() => plugin.rateLimit({ domain: 'edge', descriptors: [{ remote_address: `1.2.3.${i}` }] }))));
  const messages = calls.map((c) => String((c.error as Error | undefined)?.message));
  assert.equal(messages.filter((m) => /to answer within 50 ms \(command_timeout\)/.test(m)).length, 2);
  assert.equal(messages.filter((m) => /expected fewer than 2 commands waiting for redis .* \(max_pending\), found 2/.test(m)).length, 3);
  await sleeping;
  await waitFor('calls to be served again', () => plugin.rateLimit({ domain: 'edge', descriptors: [{ remote_address: '9.9.9.9' }] }));
});

test('the plugin starts before Redis is reachable, fails calls fast meanwhile, and counts once Redis is up', async (t) => {
  const port = await freePort();
  const plugin = await launch(t, redisConfig(`redis://127.0.0.1:${port}`, { unit: 'hour', requests_per_unit: 10 }));
  assert.ok(plugin.logs.some((l) => String(l['msg']).startsWith(`connecting to redis at redis://127.0.0.1:${port} in the background`)));
  const request = { domain: 'edge', descriptors: [{ remote_address: '1.2.3.4' }] };
  const early = await timed(() => plugin.rateLimit(request));
  assert.match(String((early.error as Error | undefined)?.message), /expected a connection to redis at redis:\/\/127\.0\.0\.1:\d+, found it \w+/);
  assert.ok(early.ms < 100, `expected the call to fail well under 100 ms, found ${early.ms.toFixed(1)} ms`);
  await waitFor('the connection failure to be logged', () => plugin.logs.some((l) => l['level'] === 40 && /ECONNREFUSED/.test(String(l['msg']))));

  await startRedisServer(t, { port });
  const first = await waitFor('counting to start', () => plugin.rateLimit(request), { timeoutMs: 5_000 });
  assert.equal(first.statuses[0]?.limitRemaining, 9);
  assert.ok(alive(plugin.pid));
});
