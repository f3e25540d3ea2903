import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { catchAllRouter, cluster, httpListener, mosnConfig } from './helpers/config-builder.js';
import { waitFor } from './helpers/deadline.js';
import { hitsOf, startHostPool } from './helpers/host-pool.js';
import { request } from './helpers/http-client.js';
import { startMosn } from './helpers/mosn-process.js';
import { unusedAddress } from './helpers/upstream.js';
import { startNetServer } from './helpers/raw-servers.js';

const T = { timeout: 60_000 };

/** `n` requests on new connections (both workers take part); the status and body of each. */
async function batch(port: number, n: number): Promise<{ status: number; body: string }[]> {
  const out: { status: number; body: string }[] = [];
  for (let i = 0; i < n; i++) {
    const r = await request(port, { path: '/hc/x', agent: false });
    out.push({ status: r.status, body: r.body });
  }
  return out;
}

const httpCheck = (o: Record<string, unknown> = {}) => ({
  health_check: {
    protocol: 'Http1',
    timeout: '300ms',
    interval: '100ms',
    interval_jitter: '20ms',
    healthy_threshold: 2,
    unhealthy_threshold: 2,
    check_config: { http_check_config: { path: '/health' } },
    ...o,
  },
});

test('an HTTP health check takes a failing host out of rotation and brings it back when it passes again', T, async (t) => {
  const hosts = await startHostPool(t, ['a', 'b', 'c']);
  const mosn = await startMosn(
    t,
    mosnConfig({
      listeners: [httpListener('http', 'r')],
      routers: [catchAllRouter('r', 'pool')],
      clusters: [cluster('pool', hosts.map((h) => h.address), httpCheck())],
    }),
  );
  const port = mosn.port('http');
  // No service_name needed: checks run (each worker checks each host).
  await waitFor(() => (hosts.every((h) => h.healthChecks >= 4) ? true : undefined), 'health checks on every host');
  const b = hosts[1]!;
  b.healthStatus = 503;
  await waitFor(
    async () => {
      const before = b.hits.get('hc') ?? 0;
      const results = await batch(port, 20);
      assert.ok(results.every((r) => r.status === 200));
      return (b.hits.get('hc') ?? 0) === before ? true : undefined;
    },
    'host b to get no traffic',
    10_000,
  );
  // Still out: a whole batch, and nothing for b.
  const before = hitsOf(hosts, 'hc');
  await batch(port, 30);
  const after = hitsOf(hosts, 'hc');
  assert.equal(after[1], before[1]);
  assert.ok(after[0]! > before[0]! && after[2]! > before[2]!);

  b.healthStatus = 200;
  await waitFor(
    async () => {
      const n = b.hits.get('hc') ?? 0;
      await batch(port, 12);
      return (b.hits.get('hc') ?? 0) > n ? true : undefined;
    },
    'host b back in rotation',
    10_000,
  );
});

test('hosts that refuse, hang, or answer garbage to health checks are marked unhealthy; nothing crashes', T, async (t) => {
  const [good] = await startHostPool(t, ['good']);
  const garbage = await startNetServer(t, (socket) => socket.end('\x00\x01 not http at all\r\n\r\n'));
  const hang = await startNetServer(t, () => undefined);
  const refused = await unusedAddress();
  const mosn = await startMosn(
    t,
    mosnConfig({
      listeners: [httpListener('http', 'r')],
      clusters: [cluster('pool', [good!.address, garbage.address, hang.address, refused], httpCheck({ unhealthy_threshold: 1 }))],
      // Until the checks have run, requests may reach the silent host: keep them short.
      routers: [catchAllRouter('r', 'pool', { timeout: '500ms' })],
    }),
  );
  const pids = (await mosn.status()).workers.map((w) => w.pid).sort();
  const port = mosn.port('http');
  await waitFor(
    async () => {
      const results = await batch(port, 12);
      return results.every((r) => r.status === 200 && r.body === 'good') ? true : undefined;
    },
    'every request to go to the one healthy host',
    10_000,
  );
  const results = await batch(port, 30);
  assert.deepEqual(new Set(results.map((r) => `${r.status} ${r.body}`)), new Set(['200 good']));
  const status = await mosn.status();
  assert.deepEqual(status.workers.map((w) => w.pid).sort(), pids, 'no worker was replaced');
});

test('a TCP health check (no protocol) skips a host whose port is closed', T, async (t) => {
  const [up] = await startHostPool(t, ['up']);
  const down = await unusedAddress();
  const mosn = await startMosn(
    t,
    mosnConfig({
      listeners: [httpListener('http', 'r')],
      routers: [catchAllRouter('r', 'pool')],
      clusters: [cluster('pool', [down, up!.address], { health_check: { timeout: '300ms', interval: '100ms' } })],
    }),
  );
  const port = mosn.port('http');
  await waitFor(
    async () => ((await batch(port, 10)).every((r) => r.status === 200) ? true : undefined),
    'requests to stop reaching the closed port',
    10_000,
  );
  const agent = new http.Agent({ keepAlive: true });
  for (let i = 0; i < 20; i++) assert.equal((await request(port, { path: '/hc/y', agent })).status, 200);
  agent.destroy();
});
