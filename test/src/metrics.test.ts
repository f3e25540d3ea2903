// Metrics end to end: every worker records into its own prom-client registry and reports it, and
// the supervisor reports its figures and the admin state, to a real plugin serving `metrics`.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { MetricsReport } from '@mosn/ipc-protocol';
import { catchAllRouter, cluster, httpListener, mosnConfig, type Json } from './helpers/config-builder.js';
import { waitFor } from './helpers/deadline.js';
import { request } from './helpers/http-client.js';
import { runMosnctl, startMosn, type RunningMosn } from './helpers/mosn-process.js';
import { startHttpUpstream } from './helpers/upstream.js';

const RECORDER = fileURLToPath(new URL('../../fixtures/metrics-recorder-plugin.mjs', import.meta.url));

function recorderConfig(upstream: string, file: string, extra: Json = {}): Json {
  const routers = [
    {
      router_config_name: 'r',
      virtual_hosts: [{ name: 'shop', domains: ['*'], routers: [{ match: { prefix: '/ok' }, route: { cluster_name: 'up' } }] }],
    },
  ];
  return mosnConfig({
    listeners: [httpListener('http', 'r')],
    routers,
    clusters: [cluster('up', [upstream])],
    top: {
      metrics: { flush_interval: '200ms' },
      plugins: [{ name: 'recorder', command: process.execPath, args: [RECORDER], env: { API_TOKEN: 'hunter2' }, config: { file, ...extra } }],
    },
  });
}

/** Starts mosn with the recorder writing into a directory removed only after mosn is gone. */
async function startRecorded(t: import('node:test').TestContext, upstream: string, workers: number, extra: Json = {}): Promise<{ mosn: RunningMosn; file: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'mosn-e2e-metrics-'));
  const file = join(dir, 'reports.json');
  try {
    const mosn = await startMosn(t, recorderConfig(upstream, file, extra), { workers });
    // Registered after startMosn's own cleanup, so it runs once the plugin is gone.
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    return { mosn, file };
  } catch (error) {
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    throw error;
  }
}

async function reports(file: string): Promise<MetricsReport[]> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as MetricsReport[];
  } catch {
    return [];
  }
}

/** Sum of one metric's values with the given labels across the workers' latest reports. */
function sumOf(all: readonly MetricsReport[], name: string, labels: Record<string, string>): number {
  let sum = 0;
  for (const report of all) {
    if (report.source !== 'worker') continue;
    for (const metric of report.metrics) {
      if (metric.name !== name) continue;
      for (const v of metric.values) if (Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want)) sum += v.value;
    }
  }
  return sum;
}

test('each worker reports its registry and the supervisor its state: exact request counts by status class across 2 workers', async (t) => {
  const upstream = await startHttpUpstream(t, (_req, res) => res.end('ok'));
  const { mosn, file } = await startRecorded(t, upstream.address, 2);
  const port = mosn.port('http');
  const results = await Promise.all([
    ...Array.from({ length: 30 }, (_, i) => request(port, { path: `/ok/${i}` })),
    ...Array.from({ length: 5 }, (_, i) => request(port, { path: `/missing/${i}` })),
  ]);
  assert.equal(results.filter((r) => r.status === 200).length, 30);

  const all = await waitFor(
    async () => {
      const got = await reports(file);
      const ok = sumOf(got, 'mosn_http_requests_total', { listener: 'http', virtual_host: 'shop', status_class: '2xx' });
      const missing = sumOf(got, 'mosn_http_requests_total', { listener: 'http', status_class: '4xx' });
      return ok === 30 && missing === 5 && got.some((r) => r.source === 'host') ? got : undefined;
    },
    '30 2xx and 5 4xx in the workers\' reports, and a host report',
  );
  assert.equal(sumOf(all, 'mosn_cluster_requests_total', { cluster: 'up' }), 30);
  assert.equal(sumOf(all, 'mosn_host_healthy', { cluster: 'up', host: upstream.address }), 2, 'each worker sees the host healthy');
  assert.equal(sumOf(all, 'mosn_http_request_duration_seconds', {}) > 0, true);
  assert.ok(sumOf(all, 'mosn_listener_bytes_sent_total', { listener: 'http' }) > 35 * 50, 'response bytes counted per listener');
  assert.equal(sumOf(all, 'mosn_listener_connections_total', { listener: 'http' }), 35);
  const host = all.find((r) => r.source === 'host') as MetricsReport;
  assert.equal(host.state?.ready, true);
  assert.equal(host.state?.workers.length, 2);
  const plugins = (host.state?.config as { plugins: { env: Record<string, string> }[] }).plugins;
  assert.deepEqual(plugins[0]?.env, { API_TOKEN: '[redacted]' }, 'plugin environments are not shown');
  assert.ok(host.metrics.some((m) => m.name === 'mosn_supervisor_generation'));

  const status = await runMosnctl(['status', '-c', mosn.configFile]);
  assert.match(status.stdout, /REQ\/S/);
});

test('a worker that exits is counted once: its final figures move to the supervisor\'s retired totals', async (t) => {
  const upstream = await startHttpUpstream(t, (_req, res) => res.end('ok'));
  const { mosn, file } = await startRecorded(t, upstream.address, 1);
  const port = mosn.port('http');
  for (let i = 0; i < 7; i++) assert.equal((await request(port, { path: '/ok' })).status, 200);
  await waitFor(async () => (sumOf(await reports(file), 'mosn_http_requests_total', { status_class: '2xx' }) === 7 ? true : undefined), '7 requests reported');
  const reload = await runMosnctl(['reload', '-c', mosn.configFile]);
  assert.equal(reload.code, 0, reload.stderr);
  await waitFor(
    async () => {
      const host = (await reports(file)).find((r) => r.source === 'host');
      const retired = host?.retired?.find((m) => m.name === 'mosn_http_requests_total');
      const total = retired?.values.filter((v) => v.labels['status_class'] === '2xx').reduce((n, v) => n + v.value, 0) ?? 0;
      return total === 7 ? true : undefined;
    },
    'the drained worker\'s 7 requests in the retired totals',
  );
});

test('a plugin can set the log level of the supervisor and its workers (host/setLogLevel)', async (t) => {
  const upstream = await startHttpUpstream(t, (_req, res) => res.end('ok'));
  const { mosn } = await startRecorded(t, upstream.address, 1, { setLogLevel: 'debug' });
  const garbage = (): Promise<void> =>
    new Promise((resolve) => {
      const socket = net.connect(mosn.port('http'), '127.0.0.1', () => socket.end('NOT HTTP\r\n\r\n'));
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
      socket.resume();
    });
  // The config says INFO; "rejected request" is a worker's debug line.
  await waitFor(() => (mosn.output.includes('log level changed') ? true : undefined), 'the supervisor to log the change');
  await waitFor(
    async () => {
      await garbage();
      return mosn.output.includes('rejected request') ? true : undefined;
    },
    'a worker debug line once the level is debug',
    5_000,
    100,
  );
  const line = mosn.output.split('\n').find((l) => l.includes('rejected request')) ?? '';
  assert.match(line, /"level":20/, 'written at debug');

  // A worker started after the change (here: the replacement of a killed one) starts at that level.
  const before = (await mosn.status()).workers[0]?.pid as number;
  process.kill(before, 'SIGKILL');
  const replacement = await waitFor(
    async () => {
      const w = (await mosn.status()).workers[0];
      return w !== undefined && w.pid !== before && w.state === 'ready' ? w.pid : undefined;
    },
    'the replacement worker',
  );
  await waitFor(
    async () => {
      await garbage();
      return mosn.output.split('\n').some((l) => l.includes('rejected request') && l.includes(`"pid":${replacement}`)) ? true : undefined;
    },
    'a debug line from the replacement worker',
    5_000,
    100,
  );
});
