import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { cluster, httpListener, mosnConfig, router } from './helpers/config-builder.js';
import { hitsOf, startHostPool } from './helpers/host-pool.js';
import { request } from './helpers/http-client.js';
import { runMosnctl, startMosn, tempDir, writeConfig } from './helpers/mosn-process.js';

const T = { timeout: 60_000 };

/** One route per path prefix, each to its own cluster: `/NAME/…` → cluster NAME. */
function prefixRouter(name: string, routes: { prefix: string; cluster: string; extra?: Record<string, unknown> }[]) {
  return router(name, [
    { name: 'all', domains: ['*'], routers: routes.map((r) => ({ match: { prefix: r.prefix }, route: { cluster_name: r.cluster, ...r.extra } })) },
  ]);
}

/** `n` requests on a few keep-alive connections, `concurrency` at a time. */
async function requests(port: number, path: string, n: number, concurrency = 4, headers: http.OutgoingHttpHeaders = {}): Promise<string[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const bodies: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      const r = await request(port, { path, headers, agent });
      assert.equal(r.status, 200, r.body);
      bodies.push(r.body);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  return bodies;
}

function near(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual}, expected ${expected} ± ${tolerance}`);
}

test('lb_type spreads requests: round robin evenly, weighted round robin by weight, random within tolerance', T, async (t) => {
  const hosts = await startHostPool(t, ['a', 'b', 'c']);
  const addresses = hosts.map((h) => h.address);
  const weighted = { lb_type: 'LB_WEIGHTED_ROUNDROBIN', hosts: hosts.map((h, i) => ({ address: h.address, weight: [4, 1, 1][i] })) };
  const mosn = await startMosn(
    t,
    mosnConfig({
      listeners: [httpListener('http', 'r')],
      routers: [
        prefixRouter('r', [
          { prefix: '/rr/', cluster: 'rr' },
          { prefix: '/wrr/', cluster: 'wrr' },
          { prefix: '/random/', cluster: 'random' },
          { prefix: '/rrw/', cluster: 'rrw' },
        ]),
      ],
      clusters: [
        cluster('rr', addresses),
        { ...cluster('wrr', addresses), ...weighted },
        cluster('random', addresses, { lb_type: 'LB_RANDOM' }),
        // LB_ROUNDROBIN ignores weights (MOSN's meaning).
        { ...cluster('rrw', addresses), hosts: weighted.hosts },
      ],
    }),
  );
  const port = mosn.port('http');
  await requests(port, '/rr/x', 300);
  await requests(port, '/wrr/x', 300);
  await requests(port, '/random/x', 600);
  await requests(port, '/rrw/x', 300);
  // Two workers each go round on their own: each host gets its third from each, give or take a turn.
  for (const n of hitsOf(hosts, 'rr')) near(n, 100, 4, 'round robin');
  for (const n of hitsOf(hosts, 'rrw')) near(n, 100, 4, 'round robin with weights');
  const [w4, w1a, w1b] = hitsOf(hosts, 'wrr');
  near(w4 ?? 0, 200, 8, 'weight 4');
  near(w1a ?? 0, 50, 8, 'weight 1');
  near(w1b ?? 0, 50, 8, 'weight 1');
  for (const n of hitsOf(hosts, 'random')) near(n, 200, 60, 'random');
});

test('LB_LEAST_REQUEST sends less to a slow host than round robin does', T, async (t) => {
  const hosts = await startHostPool(t, ['slow', 'fast1', 'fast2', 'fast3']);
  hosts[0]!.delayMs = 150;
  const addresses = hosts.map((h) => h.address);
  const mosn = await startMosn(
    t,
    mosnConfig({
      listeners: [httpListener('http', 'r')],
      routers: [prefixRouter('r', [{ prefix: '/lr/', cluster: 'lr' }, { prefix: '/rr/', cluster: 'rr' }])],
      clusters: [cluster('lr', addresses, { lb_type: 'LB_LEAST_REQUEST' }), cluster('rr', addresses)],
    }),
  );
  const port = mosn.port('http');
  await requests(port, '/lr/x', 400, 16);
  await requests(port, '/rr/x', 200, 16);
  const lr = hitsOf(hosts, 'lr');
  const rr = hitsOf(hosts, 'rr');
  const lrSlowShare = (lr[0] ?? 0) / 400;
  const rrSlowShare = (rr[0] ?? 0) / 200;
  near(rrSlowShare, 0.25, 0.03, 'round robin share of the slow host');
  assert.ok(lrSlowShare < 0.12, `least request sent ${(lrSlowShare * 100).toFixed(1)}% to the slow host (hits ${lr.join(',')})`);
});

test('LB_MAGLEV with a route hash_policy: the same key reaches the same host from every worker; keys spread', T, async (t) => {
  const hosts = await startHostPool(t, ['a', 'b', 'c', 'd']);
  const addresses = hosts.map((h) => h.address);
  const mosn = await startMosn(
    t,
    mosnConfig({
      listeners: [httpListener('http', 'r')],
      routers: [
        prefixRouter('r', [
          { prefix: '/user/', cluster: 'hash', extra: { hash_policy: [{ header: { key: 'X-User' } }] } },
          { prefix: '/session/', cluster: 'hash', extra: { hash_policy: [{ cookie: { name: 'sid' } }] } },
          { prefix: '/ip/', cluster: 'hash', extra: { hash_policy: [{ header: { key: 'x-none' } }, { source_ip: {} }] } },
        ]),
      ],
      clusters: [cluster('hash', addresses, { lb_type: 'LB_MAGLEV' })],
    }),
  );
  const port = mosn.port('http');
  const owner = new Map<string, string>();
  for (let round = 0; round < 3; round++) {
    for (let u = 0; u < 40; u++) {
      // A new connection per request: both workers take part.
      const r = await request(port, { path: '/user/x', headers: { 'x-user': `user-${u}` } });
      assert.equal(r.status, 200);
      const before = owner.get(`user-${u}`);
      if (before === undefined) owner.set(`user-${u}`, r.body);
      else assert.equal(r.body, before, `user-${u} moved from ${before} to ${r.body}`);
    }
  }
  const perHost = new Map<string, number>();
  for (const h of owner.values()) perHost.set(h, (perHost.get(h) ?? 0) + 1);
  assert.equal(perHost.size, 4, `40 keys reached only ${[...perHost.keys()].join(',')}`);

  const sessions = new Set<string>();
  for (let i = 0; i < 10; i++) sessions.add((await request(port, { path: '/session/x', headers: { cookie: 'theme=dark; sid=abc123' } })).body);
  assert.equal(sessions.size, 1);
  const ips = new Set<string>();
  for (let i = 0; i < 10; i++) ips.add((await request(port, { path: '/ip/x' })).body);
  assert.equal(ips.size, 1, 'one client address, one host');
});

test('a hash_policy on a route whose cluster does not hash is a config error', T, async (t) => {
  const dir = await tempDir(t);
  const file = await writeConfig(
    dir,
    mosnConfig({
      listeners: [httpListener('http', 'r')],
      routers: [prefixRouter('r', [{ prefix: '/', cluster: 'rr', extra: { hash_policy: [{ source_ip: {} }] } }])],
      clusters: [cluster('rr', ['127.0.0.1:9'])],
    }),
  );
  const out = await runMosnctl(['check', '-c', file]);
  assert.equal(out.code, 1, out.stdout + out.stderr);
  assert.match(out.stdout + out.stderr, /route\.hash_policy: hash_policy needs a cluster whose lb_type hashes \("LB_MAGLEV"\); cluster "rr" has lb_type "LB_ROUNDROBIN"/);
});
