import assert from 'node:assert/strict';
import { test } from 'node:test';
import { catchAllRouter, cluster, httpListener, mosnConfig, router } from './helpers/config-builder.js';
import { request } from './helpers/http-client.js';
import { startMosn } from './helpers/mosn-process.js';
import { startHttpUpstream } from './helpers/upstream.js';

test('routes by virtual host and path to the right upstream, with rewrites and forwarding headers', async (t) => {
  const seen: { name: string; url: string; headers: Record<string, unknown> }[] = [];
  const upstream = (name: string) =>
    startHttpUpstream(t, (req, res) => {
      seen.push({ name, url: req.url ?? '', headers: req.headers });
      res.end(`${name} ${req.url}`);
    });
  const [api, web, admin] = await Promise.all([upstream('api'), upstream('web'), upstream('admin')]);
  const config = mosnConfig({
    listeners: [httpListener('http', 'main')],
    routers: [
      router('main', [
        {
          name: 'admin',
          domains: ['admin.example.com'],
          routers: [{ match: { prefix: '/' }, route: { cluster_name: 'admin' } }],
        },
        {
          name: 'wild',
          domains: ['*.example.com'],
          routers: [
            { match: { prefix: '/api/' }, route: { cluster_name: 'api', prefix_rewrite: '/v2/', host_rewrite: 'api.internal' } },
            { match: { path: '/health' }, direct_response: { status: 200, body: 'healthy' } },
            { match: { prefix: '/', headers: [{ name: 'x-canary', value: 'yes' }] }, route: { cluster_name: 'admin' } },
            { match: { prefix: '/' }, route: { cluster_name: 'web' } },
          ],
        },
      ]),
    ],
    clusters: [cluster('api', [api.address]), cluster('web', [web.address]), cluster('admin', [admin.address])],
  });
  const mosn = await startMosn(t, config);
  const port = mosn.port('http');

  const a = await request(port, { path: '/api/users?id=7', headers: { host: 'shop.example.com' } });
  assert.equal(a.status, 200);
  assert.equal(a.body, 'api /v2/users?id=7');
  const apiSeen = seen.find((s) => s.name === 'api');
  assert.equal(apiSeen?.headers.host, 'api.internal');
  assert.equal(apiSeen?.headers['x-forwarded-for'], '127.0.0.1');
  assert.equal(apiSeen?.headers['x-forwarded-proto'], 'http');
  assert.match(String(apiSeen?.headers['x-request-id']), /\S+/);

  assert.equal((await request(port, { path: '/index.html', headers: { host: 'shop.example.com' } })).body, 'web /index.html');
  assert.equal((await request(port, { path: '/x', headers: { host: 'shop.example.com', 'x-canary': 'yes' } })).body, 'admin /x');
  assert.equal((await request(port, { path: '/x', headers: { host: 'ADMIN.example.com:8080' } })).body, 'admin /x');

  const direct = await request(port, { path: '/health', headers: { host: 'a.example.com' } });
  assert.equal(direct.status, 200);
  assert.equal(direct.body, 'healthy');

  const kept = await request(port, { path: '/k', headers: { host: 'a.example.com', 'x-request-id': 'given-id', 'x-forwarded-for': '10.0.0.1' } });
  assert.equal(kept.status, 200);
  const keptSeen = seen.find((s) => s.url === '/k');
  assert.equal(keptSeen?.headers['x-request-id'], 'given-id');
  assert.equal(keptSeen?.headers['x-forwarded-for'], '10.0.0.1, 127.0.0.1');

  const missing = await request(port, { path: '/nothing', headers: { host: 'other.org' } });
  assert.equal(missing.status, 404);
  assert.match(missing.body, /no route/i);
});

test('spreads requests over a cluster\'s hosts round robin across both workers', async (t) => {
  const hits = new Map<string, number>();
  const hosts = await Promise.all(
    ['h1', 'h2'].map((name) =>
      startHttpUpstream(t, (_req, res) => {
        hits.set(name, (hits.get(name) ?? 0) + 1);
        res.end(name);
      }),
    ),
  );
  const mosn = await startMosn(t, mosnConfig({
    listeners: [httpListener('http', 'r')],
    routers: [catchAllRouter('r', 'pool')],
    clusters: [cluster('pool', hosts.map((h) => h.address))],
  }));
  for (let i = 0; i < 40; i++) assert.equal((await request(mosn.port('http'))).status, 200);
  // Each worker round-robins on its own, so the split is even per worker, hence near-even overall.
  assert.ok((hits.get('h1') ?? 0) >= 10 && (hits.get('h2') ?? 0) >= 10, `uneven split: ${JSON.stringify([...hits])}`);
});
