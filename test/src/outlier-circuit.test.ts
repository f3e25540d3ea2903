import assert from 'node:assert/strict';
import { test } from 'node:test';
import { catchAllRouter, cluster, httpListener, mosnConfig } from './helpers/config-builder.js';
import { waitFor } from './helpers/deadline.js';
import { hitsOf, startHostPool } from './helpers/host-pool.js';
import { request, type HttpResult } from './helpers/http-client.js';
import { startMosn } from './helpers/mosn-process.js';
import { unusedAddress } from './helpers/upstream.js';

const T = { timeout: 60_000 };

async function batch(port: number, n: number): Promise<HttpResult[]> {
  const out: HttpResult[] = [];
  for (let i = 0; i < n; i++) out.push(await request(port, { path: '/od/x', agent: false }));
  return out;
}

const outlier = (o: Record<string, unknown> = {}) => ({
  outlier_detection: { consecutive_5xx: 3, base_ejection_time: '1s', max_ejection_percent: 50, ...o },
});

test('consecutive 5xx eject a host for base_ejection_time; it comes back afterwards', T, async (t) => {
  const hosts = await startHostPool(t, ['a', 'bad', 'c']);
  const bad = hosts[1]!;
  bad.status = 500;
  const mosn = await startMosn(
    t,
    mosnConfig({
      listeners: [httpListener('http', 'r')],
      routers: [catchAllRouter('r', 'pool')],
      clusters: [cluster('pool', hosts.map((h) => h.address), outlier({ base_ejection_time: '3s' }))],
    }),
  );
  const port = mosn.port('http');
  // Each worker sees 3 failures in a row from "bad" within its first ~9 requests, then ejects it.
  const first = await batch(port, 40);
  const failures = first.filter((r) => r.status === 500).length;
  assert.ok(failures >= 3 && failures <= 12, `${failures} failures before the ejection`);
  const ejectedAt = Date.now();
  const during = await batch(port, 20);
  assert.ok(
    during.every((r) => r.status === 200),
    `a request reached the ejected host: ${during.map((r) => r.status).join(',')} (${Date.now() - ejectedAt} ms after)`,
  );
  bad.status = 200;
  await waitFor(
    async () => {
      const n = bad.hits.get('od') ?? 0;
      await batch(port, 6);
      return (bad.hits.get('od') ?? 0) > n ? true : undefined;
    },
    'the ejected host back after its ejection time',
    10_000,
  );
  assert.ok(Date.now() - ejectedAt >= 2000, 'came back before base_ejection_time');
});

test('connect failures eject a host too, and never every host of the cluster', T, async (t) => {
  const [good] = await startHostPool(t, ['good']);
  const refused = await unusedAddress();
  const mosn = await startMosn(
    t,
    mosnConfig({
      listeners: [httpListener('http', 'r')],
      routers: [catchAllRouter('r', 'pool')],
      clusters: [cluster('pool', [refused, good!.address], outlier({ consecutive_5xx: 2, base_ejection_time: '30s', max_ejection_percent: 100 }))],
    }),
  );
  const port = mosn.port('http');
  // Each of the 2 workers ejects on its own, after 2 failures of its own; the kernel may hand one
  // worker most of a short batch, so requests go until 20 in a row succeed (bounded in time).
  const warmup = await batch(port, 12);
  await waitFor(async () => {
    const after = await batch(port, 20);
    warmup.push(...after);
    return after.every((r) => r.status === 200) ? true : undefined;
  }, 'the refused host ejected in every worker (20 requests in a row answered 200)', 15_000, 0);
  // Round robin sent requests to the refused host before it was ejected: the streak is the ejection's doing.
  assert.ok(warmup.some((r) => r.status === 502), 'the refused host was tried (502) before it was ejected');
  assert.deepEqual(new Set(warmup.map((r) => r.status)), new Set([200, 502]));

  // Both hosts failing: one may be ejected, the other still gets the traffic (never all ejected).
  const hosts = await startHostPool(t, ['x', 'y']);
  for (const h of hosts) h.status = 503;
  const two = await startMosn(
    t,
    mosnConfig({
      listeners: [httpListener('http', 'r')],
      routers: [catchAllRouter('r', 'pool')],
      clusters: [cluster('pool', hosts.map((h) => h.address), outlier({ consecutive_5xx: 2, base_ejection_time: '30s', max_ejection_percent: 100 }))],
    }),
  );
  const results = await batch(two.port('http'), 30);
  assert.ok(results.every((r) => r.status === 503 && r.headers['x-mosn-overloaded'] === undefined && /^[xy]$/.test(r.body)));
  assert.ok(hitsOf(hosts, 'od').reduce((a, b) => a + b, 0) === 30, 'every request reached an upstream');
});

test('circuit breakers: over max_pending_requests the proxy answers 503 at once with x-mosn-overloaded', T, async (t) => {
  const [slow] = await startHostPool(t, ['slow']);
  slow!.delayMs = 600;
  const mosn = await startMosn(
    t,
    mosnConfig({
      listeners: [httpListener('http', 'r')],
      routers: [catchAllRouter('r', 'pool')],
      clusters: [cluster('pool', [slow!.address], { circuit_breakers: [{ max_connections: 1, max_pending_requests: 1 }] })],
    }),
    { workers: 1 },
  );
  const port = mosn.port('http');
  const started = Date.now();
  const inFlight = [request(port, { path: '/cb/1' }), request(port, { path: '/cb/2' })];
  await waitFor(() => (slow!.inFlight === 1 ? true : undefined), 'the first request at the upstream');
  const refused = await request(port, { path: '/cb/3' });
  assert.equal(refused.status, 503);
  assert.equal(refused.headers['x-mosn-overloaded'], 'true');
  assert.match(refused.body, /cluster "pool" is at its max_pending_requests limit/);
  assert.ok(Date.now() - started < 500, 'the refusal did not wait for the upstream');
  // The one that waited got the connection after the first was done.
  const [a, b] = await Promise.all(inFlight);
  assert.equal(a!.status, 200);
  assert.equal(b!.status, 200);
});

test('circuit breakers: max_requests refuses the request over the limit; a wait for a connection ends at connect_timeout', T, async (t) => {
  const [slow] = await startHostPool(t, ['slow']);
  slow!.delayMs = 800;
  const mosn = await startMosn(
    t,
    mosnConfig({
      listeners: [httpListener('http', 'r')],
      clusters: [
        cluster('pool', [slow!.address], { circuit_breakers: [{ max_requests: 2 }] }),
        cluster('one', [slow!.address], { connect_timeout: '200ms', circuit_breakers: [{ max_connections: 1 }] }),
      ],
      routers: [
        {
          router_config_name: 'r',
          virtual_hosts: [
            {
              name: 'all',
              domains: ['*'],
              routers: [
                { match: { prefix: '/one/' }, route: { cluster_name: 'one' } },
                { match: { prefix: '/' }, route: { cluster_name: 'pool' } },
              ],
            },
          ],
        },
      ],
    }),
    { workers: 1 },
  );
  const port = mosn.port('http');
  const two = [request(port, { path: '/cb/1' }), request(port, { path: '/cb/2' })];
  await waitFor(() => (slow!.inFlight === 2 ? true : undefined), 'two requests at the upstream');
  const third = await request(port, { path: '/cb/3' });
  assert.equal(third.status, 503);
  assert.equal(third.headers['x-mosn-overloaded'], 'true');
  assert.match(third.body, /max_requests/);
  for (const r of await Promise.all(two)) assert.equal(r.status, 200);

  const first = request(port, { path: '/one/1' });
  await waitFor(() => (slow!.inFlight === 1 ? true : undefined), 'one request at the upstream');
  const t0 = Date.now();
  const waited = await request(port, { path: '/one/2' });
  assert.equal(waited.status, 503);
  assert.equal(waited.headers['x-mosn-overloaded'], 'true');
  assert.match(waited.body, /no connection free within \d+ ms/);
  assert.ok(Date.now() - t0 >= 150, 'answered before connect_timeout');
  assert.equal((await first).status, 200);
});
