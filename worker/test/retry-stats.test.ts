import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cluster, httpListener, mosnConfig, route, router, vhost } from './helpers/config.js';
import { RawClient } from './helpers/raw-client.js';
import { closedPort, startWorker } from './helpers/servers.js';

test('each retry is counted in the worker stats', { timeout: 15_000 }, async (t) => {
  const dead = await closedPort();
  const r = route({ prefix: '/' }, { cluster: 'c' });
  const withRetry = { ...r, route: r.route === undefined ? undefined : { ...r.route, retry_policy: { retry_on: true, num_retries: 2, retry_timeout: 0, status_codes: [] } } };
  const config = mosnConfig({
    listeners: [httpListener('http', 'r')],
    routers: [router('r', [vhost('all', ['*'], [withRetry])])],
    clusters: [cluster('c', [dead])],
  });
  const w = await startWorker(t, config);
  const c = await RawClient.connect(t, w.port);
  for (let i = 0; i < 2; i++) {
    await c.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    const res = await c.readResponse();
    assert.equal(res.status, 502);
    assert.match(res.body.toString(), /upstream connect error/);
  }
  // num_retries exactly: 2 per request, not MOSN's max(3, n).
  assert.equal(w.server.stats().retriesTotal, 4);
  assert.equal(w.server.stats().requestsTotal, 2);
});
