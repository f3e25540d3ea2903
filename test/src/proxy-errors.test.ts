import assert from 'node:assert/strict';
import { test } from 'node:test';
import { catchAllRouter, cluster, httpListener, mosnConfig, router } from './helpers/config-builder.js';
import { request } from './helpers/http-client.js';
import { startMosn } from './helpers/mosn-process.js';
import { startHttpUpstream, unusedAddress } from './helpers/upstream.js';

test('answers 502 on connect failure, 503 with no host, 504 on route timeout, each saying which', async (t) => {
  const refused = await unusedAddress();
  const slow = await startHttpUpstream(t, (_req, res) => {
    const timer = setTimeout(() => res.end('too late'), 5000);
    res.on('close', () => clearTimeout(timer));
  });
  const mosn = await startMosn(t, mosnConfig({
    listeners: [httpListener('http', 'r')],
    routers: [
      router('r', [
        {
          name: 'all',
          domains: ['*'],
          routers: [
            { match: { prefix: '/refused' }, route: { cluster_name: 'refused' } },
            { match: { prefix: '/empty' }, route: { cluster_name: 'empty' } },
            { match: { prefix: '/slow' }, route: { cluster_name: 'slow', timeout: '300ms' } },
          ],
        },
      ]),
    ],
    clusters: [cluster('refused', [refused], { connect_timeout: '1s' }), cluster('empty', []), cluster('slow', [slow.address])],
  }));
  const port = mosn.port('http');

  const bad = await request(port, { path: '/refused' });
  assert.equal(bad.status, 502);
  assert.match(bad.body, /connect/i);

  const none = await request(port, { path: '/empty' });
  assert.equal(none.status, 503);
  assert.match(none.body, /no (healthy )?host/i);

  const started = Date.now();
  const late = await request(port, { path: '/slow' });
  assert.equal(late.status, 504);
  assert.match(late.body, /timeout/i);
  assert.ok(Date.now() - started < 3000, 'the 504 came from the route timeout, not the upstream');

  // The workers are still fine after all of that.
  assert.equal((await request(port, { path: '/nope' })).status, 404);
});

test('answers 502 when the upstream resets the connection before responding', async (t) => {
  const resetting = await startHttpUpstream(t, (req) => req.socket.destroy());
  const mosn = await startMosn(t, mosnConfig({
    listeners: [httpListener('http', 'r')],
    routers: [catchAllRouter('r', 'reset')],
    clusters: [cluster('reset', [resetting.address])],
  }), { workers: 1 });
  const res = await request(mosn.port('http'), { method: 'POST', body: 'x' });
  assert.equal(res.status, 502);
});
