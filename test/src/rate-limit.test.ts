// Rate limiting end to end: the real mosnctl and the real rate-limit plugin, in memory mode across
// 2 workers and in Redis mode across two supervisors sharing one real redis-server.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startRedisServer } from '@mosn/plugin-rate-limit/testing';
import { catchAllRouter, cluster, httpListener, mosnConfig, type Json } from './helpers/config-builder.js';
import { waitFor } from './helpers/deadline.js';
import { request, type HttpResult } from './helpers/http-client.js';
import { startMosn } from './helpers/mosn-process.js';
import { startHttpUpstream } from './helpers/upstream.js';

const RATE_LIMIT_MAIN = fileURLToPath(new URL('../../../plugins/rate-limit/dist/src/main.js', import.meta.url));

// Hour windows: a test that straddles a window boundary would see the count restart; an hour
// makes that unlikely where a minute would not.
function limitsConfig(upstream: string, options: { limit: number; backend?: Json; filter?: Json; plugin?: Json }): Json {
  const listener = {
    ...httpListener('http', 'r'),
    stream_filters: [
      {
        type: 'rate_limit',
        config: {
          plugin: 'limits',
          domain: 'edge',
          rate_limits: [{ actions: [{ generic_key: { descriptor_value: 'all' } }] }],
          // Exact counts need every answer: a loaded test machine can take longer than 20ms.
          timeout: '2s',
          ...options.filter,
        },
      },
    ],
  };
  return mosnConfig({
    listeners: [listener],
    routers: [catchAllRouter('r', 'up')],
    clusters: [cluster('up', [upstream])],
    top: {
      plugins: [
        {
          name: 'limits',
          command: process.execPath,
          args: [RATE_LIMIT_MAIN],
          config: {
            ...options.backend,
            domains: [{ domain: 'edge', descriptors: [{ key: 'generic_key', value: 'all', rate_limit: { unit: 'hour', requests_per_unit: options.limit } }] }],
          },
          ...options.plugin,
        },
      ],
    },
  });
}

async function okUpstream(t: TestContext) {
  return startHttpUpstream(t, (_req, res) => res.end('ok'));
}

/** `n` requests at once, each on a new connection (so both workers take some). */
function burst(port: number, n: number): Promise<HttpResult[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => request(port, { path: `/r/${i}` })));
}

function countStatuses(results: readonly HttpResult[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}

test('memory backend: exactly the limit gets through across 2 workers; the rest get 429 with Retry-After and X-RateLimit-*', async (t) => {
  const upstream = await okUpstream(t);
  const mosn = await startMosn(t, limitsConfig(upstream.address, { limit: 25 }), { workers: 2 });
  const port = mosn.port('http');
  const results = await burst(port, 80);
  // Both workers must have served some of it, or the count was kept by one. The kernel hands a
  // burst's connections to whichever worker accepts first, so on a busy machine one worker can take
  // them all: send more bursts until both have served (the limit holds over all of them alike).
  // Workers report their counters on a heartbeat, so a burst may be sent after both already had.
  await waitFor(
    async () => {
      const { workers } = await mosn.status();
      if (workers.length === 2 && workers.every((w) => w.requestsTotal > 0)) return true;
      results.push(...(await burst(port, 40)));
      return undefined;
    },
    'both workers to serve part of the bursts (so the exact count below is kept across two workers)',
    15_000,
    250,
  );
  assert.deepEqual(countStatuses(results), { 200: 25, 429: results.length - 25 });
  const limited = results.find((r) => r.status === 429) as HttpResult;
  assert.equal(limited.headers['x-ratelimit-limit'], '25');
  assert.equal(limited.headers['x-ratelimit-remaining'], '0');
  const retryAfter = Number(limited.headers['retry-after']);
  assert.ok(retryAfter >= 1 && retryAfter <= 3600, `Retry-After in seconds until the hour window ends, found ${limited.headers['retry-after']}`);
  assert.equal(limited.headers['x-ratelimit-reset'], limited.headers['retry-after']);
});

test('local_rate_limit: each worker has its own token bucket; over it the answer is 429 at once', async (t) => {
  const upstream = await okUpstream(t);
  const config = mosnConfig({
    listeners: [{ ...httpListener('http', 'r'), stream_filters: [{ type: 'local_rate_limit', config: { max_tokens: 5, fill_interval: '1h' } }] }],
    routers: [catchAllRouter('r', 'up')],
    clusters: [cluster('up', [upstream.address])],
  });
  const mosn = await startMosn(t, config, { workers: 1 });
  const results: HttpResult[] = [];
  for (let i = 0; i < 8; i++) results.push(await request(mosn.port('http'), { path: `/l/${i}` }));
  assert.deepEqual(results.map((r) => r.status), [200, 200, 200, 200, 200, 429, 429, 429]);
  assert.equal(results[7]?.headers['x-mosn-local-ratelimited'], 'true');
});

test('a rate limit plugin that is not running: failure_mode open lets requests through, closed answers 503', async (t) => {
  const upstream = await okUpstream(t);
  const broken = { command: process.execPath, args: ['-e', 'process.exit(3)'] };
  const open = await startMosn(t, limitsConfig(upstream.address, { limit: 1, plugin: broken }), { workers: 1 });
  assert.deepEqual(countStatuses(await burst(open.port('http'), 5)), { 200: 5 });
  const closed = await startMosn(t, limitsConfig(upstream.address, { limit: 1, plugin: broken, filter: { failure_mode: 'closed' } }), { workers: 1 });
  const results = await burst(closed.port('http'), 3);
  assert.deepEqual(countStatuses(results), { 503: 3 });
  assert.match(results[0]?.body ?? '', /rate limit plugin "limits" unavailable/);
});

test('redis backend: two supervisors sharing one Redis let through exactly the limit together', async (t) => {
  const redis = await startRedisServer(t);
  const upstream = await okUpstream(t);
  const backend = { backend: 'redis', redis: { url: redis.url, key_prefix: `e2e-${process.pid}-${Date.now()}:` } };
  const config = limitsConfig(upstream.address, { limit: 30, backend });
  const a = await startMosn(t, config, { workers: 2 });
  const b = await startMosn(t, config, { workers: 1 });
  // In pairs, one request to each proxy at once: both count against the same Redis keys.
  const fromA: HttpResult[] = [];
  const fromB: HttpResult[] = [];
  for (let i = 0; i < 40; i++) {
    const [ra, rb] = await Promise.all([request(a.port('http'), { path: `/a/${i}` }), request(b.port('http'), { path: `/b/${i}` })]);
    fromA.push(ra);
    fromB.push(rb);
  }
  assert.deepEqual(countStatuses([...fromA, ...fromB]), { 200: 30, 429: 50 });
  assert.ok((countStatuses(fromA)[200] ?? 0) >= 10 && (countStatuses(fromB)[200] ?? 0) >= 10, 'both proxies admitted their share before the shared limit ran out');
});

test('redis stopped mid-test: the failure mode applies (open), nothing crashes, and limits hold again once Redis is back', async (t) => {
  const redis = await startRedisServer(t);
  const upstream = await okUpstream(t);
  const backend = { backend: 'redis', redis: { url: redis.url, key_prefix: `e2e-${process.pid}-${Date.now()}:` } };
  const mosn = await startMosn(t, limitsConfig(upstream.address, { limit: 5, backend, filter: { timeout: '500ms' } }), { workers: 2 });
  const port = mosn.port('http');
  assert.deepEqual(countStatuses(await burst(port, 10)), { 200: 5, 429: 5 });
  const pidsBefore = [mosn.child.pid, ...(await mosn.status()).workers.map((w) => w.pid), (await mosn.status()).plugins[0]?.pid];

  await redis.stop();
  assert.deepEqual(countStatuses(await burst(port, 10)), { 200: 10 }, 'failure_mode open: the limiter cannot answer, requests go on');
  const during = await mosn.status();
  assert.deepEqual([mosn.child.pid, ...during.workers.map((w) => w.pid), during.plugins[0]?.pid], pidsBefore, 'no process exited or restarted');

  await redis.start(); // empty again (no persistence): the count starts over
  await waitFor(
    async () => {
      const statuses = countStatuses(await burst(port, 10));
      return statuses[429] !== undefined ? statuses : undefined;
    },
    'the limit enforced again once Redis is back',
    10_000,
    200,
  );
});
