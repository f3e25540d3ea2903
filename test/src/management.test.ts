// The management plugin end to end: the real mosnctl, 2 workers, the real plugin serving the admin
// API on 127.0.0.1, figures reported by the workers and the supervisor.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WORKER_MAIN_PATH } from '@mosn/worker';
import { catchAllRouter, cluster, httpListener, mosnConfig, type Json } from './helpers/config-builder.js';
import { waitFor } from './helpers/deadline.js';
import { request, type HttpResult } from './helpers/http-client.js';
import { startLoad } from './helpers/load.js';
import { runMosnctl, startMosn, type RunningMosn } from './helpers/mosn-process.js';
import { startHttpUpstream, unusedAddress } from './helpers/upstream.js';

const MANAGEMENT_MAIN = fileURLToPath(new URL('../../../plugins/management/dist/src/main.js', import.meta.url));

async function managedConfig(t: TestContext, extra: Json = {}): Promise<{ config: Json; admin: string }> {
  const upstream = await startHttpUpstream(t, (_req, res) => res.end('ok'));
  const admin = await unusedAddress();
  const config = mosnConfig({
    listeners: [httpListener('http', 'r')],
    routers: [catchAllRouter('r', 'up')],
    clusters: [cluster('up', [upstream.address])],
    top: {
      metrics: { flush_interval: '200ms' },
      plugins: [
        {
          name: 'management',
          command: process.execPath,
          args: [MANAGEMENT_MAIN],
          env: { VAULT_TOKEN: 'hunter2' },
          config: { admin_token: 'letmein', interval: '200ms' },
        },
      ],
      // MOSN's own admin block: the supervisor hands it to the plugin that serves the admin API.
      admin: { address: { socket_address: { address: '127.0.0.1', port_value: Number(admin.slice(admin.lastIndexOf(':') + 1)) } } },
      ...extra,
    },
  });
  return { config, admin };
}

function adminGet(admin: string, path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<HttpResult> {
  const port = Number(admin.slice(admin.lastIndexOf(':') + 1));
  return request(port, { path, ...options });
}

/**
 * A strict reading of the Prometheus text format (0.0.4): every line is a comment (# HELP / # TYPE
 * name …) or `name{label="value",…} number`; returns samples by name and labels. Throws on
 * anything else, so a malformed exposition fails the test.
 */
function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*\})? (-?(?:[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|NaN|\+Inf|-Inf))(?: -?[0-9]+)?$/;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      assert.match(line, /^# (HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*|TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram|summary|untyped))$/, `comment line: ${line}`);
      continue;
    }
    const m = sample.exec(line);
    assert.ok(m !== null, `not a sample line: ${JSON.stringify(line)}`);
    samples.set(`${m[1]}${m[2] ?? ''}`, Number(m[3]));
  }
  return samples;
}

/** Sum of the samples of `name` whose label set includes every `labels` pair. */
function sum(samples: Map<string, number>, name: string, labels: Record<string, string>): number {
  let total = 0;
  for (const [key, value] of samples) {
    if (!key.startsWith(`${name}{`) && key !== name) continue;
    if (Object.entries(labels).every(([k, v]) => key.includes(`${k}="${v}"`))) total += value;
  }
  return total;
}

async function scrape(admin: string): Promise<Map<string, number>> {
  const res = await adminGet(admin, '/stats/prometheus');
  assert.equal(res.status, 200);
  assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  return parseExposition(res.body);
}

async function ready(mosn: RunningMosn, admin: string): Promise<void> {
  await waitFor(async () => ((await adminGet(admin, '/ready').catch(() => undefined))?.status === 200 ? true : undefined), 'the admin API to say ready');
  void mosn;
}

test('Prometheus exposition sums both workers exactly and parses; config_dump is redacted; POST endpoints refuse GET and need the token', async (t) => {
  const { config, admin } = await managedConfig(t);
  const mosn = await startMosn(t, config, { workers: 2 });
  await ready(mosn, admin);
  const port = mosn.port('http');
  await Promise.all(Array.from({ length: 40 }, (_, i) => request(port, { path: `/x/${i}` })));
  const samples = await waitFor(
    async () => {
      const s = await scrape(admin);
      return sum(s, 'mosn_http_requests_total', { status_class: '2xx' }) === 40 ? s : undefined;
    },
    '40 requests in the exposition',
  );
  assert.equal(sum(samples, 'mosn_cluster_requests_total', { cluster: 'up' }), 40);
  assert.equal(sum(samples, 'mosn_http_request_duration_seconds_count', {}), 40);
  assert.equal(sum(samples, 'mosn_supervisor_generation', {}), 1);

  const dump = await adminGet(admin, '/api/v1/config_dump');
  assert.equal(dump.status, 200);
  assert.doesNotMatch(dump.body, /hunter2|letmein/, 'plugin environment and admin token are not shown');

  const get = await adminGet(admin, '/api/v1/update_loglevel');
  assert.equal(get.status, 405);
  assert.match(String(get.headers['allow']), /POST/);
  const noToken = await adminGet(admin, '/api/v1/update_loglevel', { method: 'POST', body: '{"level":"debug"}', headers: { 'content-type': 'application/json' } });
  assert.equal(noToken.status, 401);
  const changed = await adminGet(admin, '/api/v1/update_loglevel', {
    method: 'POST',
    body: '{"level":"debug"}',
    headers: { 'content-type': 'application/json', authorization: 'Bearer letmein' },
  });
  assert.equal(changed.status, 200, changed.body);
  await waitFor(() => (mosn.output.includes('log level changed') ? true : undefined), 'the supervisor to apply the level');
});

test('/ready is 503 while a reload starts new workers, 200 before and after', async (t) => {
  // New workers that take a while to start: the reload is long enough to be seen.
  const shimDir = await mkdtemp(path.join(os.tmpdir(), 'mosn-shim-'));
  t.after(() => rm(shimDir, { recursive: true, force: true }));
  const shim = path.join(shimDir, 'worker.mjs');
  await writeFile(shim, `await import(${JSON.stringify(WORKER_MAIN_PATH)});\n`);
  const { config, admin } = await managedConfig(t);
  const mosn = await startMosn(t, config, { workers: 1, env: { MOSN_WORKER_ENTRY: shim } });
  await ready(mosn, admin);
  await writeFile(shim, `await new Promise((r) => setTimeout(r, 2000));\nawait import(${JSON.stringify(WORKER_MAIN_PATH)});\n`);
  const seen: number[] = [];
  let reloading = true;
  const watching = (async () => {
    while (reloading) {
      const res = await adminGet(admin, '/ready').catch(() => undefined);
      if (res !== undefined) seen.push(res.status);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const reload = await runMosnctl(['reload', '-c', mosn.configFile]);
  assert.equal(reload.code, 0, reload.stderr);
  await waitFor(async () => ((await adminGet(admin, '/ready')).status === 200 ? true : undefined), 'ready again after the reload');
  reloading = false;
  await watching;
  assert.ok(seen.includes(503), `expected /ready to answer 503 during the reload, saw ${[...new Set(seen)].join(', ')}`);
});

test('killing the management plugin under load: no proxy error; it comes back and its counters continue', async (t) => {
  const { config, admin } = await managedConfig(t);
  const mosn = await startMosn(t, config, { workers: 2 });
  await ready(mosn, admin);
  const port = mosn.port('http');
  const load = startLoad({ port, keepAliveClients: 4, newConnectionClients: 2 });
  await waitFor(() => (load.completed > 200 ? true : undefined), '200 requests');
  const before = sum(await scrape(admin), 'mosn_http_requests_total', {});
  const pid = (await mosn.status()).plugins.find((p) => p.name === 'management')?.pid;
  assert.ok(typeof pid === 'number');
  process.kill(pid, 'SIGKILL');
  await waitFor(
    async () => {
      const p = (await mosn.status()).plugins.find((x) => x.name === 'management');
      return p?.state === 'running' && p.pid !== pid ? p : undefined;
    },
    'the management plugin back',
  );
  const after = await waitFor(
    async () => {
      const res = await adminGet(admin, '/stats/prometheus').catch(() => undefined);
      if (res?.status !== 200) return undefined;
      const total = sum(parseExposition(res.body), 'mosn_http_requests_total', {});
      return total >= before ? total : undefined;
    },
    'the restarted plugin to rebuild its totals',
  );
  const report = await load.stop();
  assert.deepEqual(report.errors, {}, 'no proxy error while the admin plugin was away');
  assert.deepEqual(report.non2xx, {});
  assert.ok(after >= before, `counters continue: ${before} before the kill, ${after} after`);
});

test('a reload that changes the management plugin hands the admin port over: the new instance serves it (with its new token)', async (t) => {
  const { config, admin } = await managedConfig(t);
  const mosn = await startMosn(t, config, { workers: 1 });
  await ready(mosn, admin);
  const plugins = (config['plugins'] as Json[]).map((p) => ({ ...p, config: { ...(p['config'] as Json), admin_token: 'rotated' } }));
  await writeFile(mosn.configFile, JSON.stringify({ ...config, plugins }));
  const reload = await runMosnctl(['reload', '-c', mosn.configFile]);
  assert.equal(reload.code, 0, reload.stderr);
  const post = (token: string) =>
    adminGet(admin, '/api/v1/update_loglevel', { method: 'POST', body: '{"level":"info"}', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } });
  await waitFor(async () => ((await post('rotated').catch(() => undefined))?.status === 200 ? true : undefined), 'the new instance on the admin port');
  assert.equal((await post('letmein')).status, 401, 'the old token no longer works');
});
