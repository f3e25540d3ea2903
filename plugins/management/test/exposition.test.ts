import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Registry } from 'prom-client';
import { request } from './helpers/http.js';
import { startPlugin } from './helpers/plugin.js';
import type { Started } from './helpers/plugin.js';
import { parsePrometheus, valueOf } from './helpers/prometheus-parser.js';
import { hostReport, hostState, supervisorRegistry, workerRegistry, workerReport } from './helpers/reports.js';

// Two live workers of generation 2 (pids 101, 102), one exited worker of generation 1 (pid 100,
// its final figures in `retired`), and the supervisor's own figures.
const W101 = { requests: 7, active: 2, hostRequests: 5, durations: [0.001, 0.01, 0.2] };
const W102 = { requests: 11, active: 3, hostRequests: 6, durations: [0.003, 1] };
const RETIRED_100 = { requests: 100, active: 9, hostRequests: 40, durations: [0.004] };
const REQUESTS = { listener: 'ingress', virtual_host: 'vh', status_class: '2xx' };

function retiredOf(...figures: (typeof W101)[]): Registry {
  // What the supervisor sums: the final figures of the workers that exited.
  return workerRegistry({
    requests: figures.reduce((s, f) => s + f.requests, 0),
    active: figures.reduce((s, f) => s + f.active, 0),
    hostRequests: figures.reduce((s, f) => s + f.hostRequests, 0),
    durations: figures.flatMap((f) => f.durations),
  });
}

async function feedCluster(started: Started, options: { hostFirst?: boolean } = {}): Promise<void> {
  const { plugin } = started;
  const workers = [await workerReport(101, workerRegistry(W101), { generation: 2 }), await workerReport(102, workerRegistry(W102), { generation: 2 })];
  const host = await hostReport(
    hostState({ generation: 2, workers: [{ pid: 100, generation: 1, state: 'exited' }, { pid: 101 }, { pid: 102 }] }),
    { retired: retiredOf(RETIRED_100), metrics: supervisorRegistry({ generation: 2, reloadsOk: 1, workerRestarts: 1 }) },
  );
  if (options.hostFirst === true) await plugin.metrics(host);
  for (const report of workers) await plugin.metrics(report);
  if (options.hostFirst !== true) await plugin.metrics(host);
}

async function scrape(port: number) {
  const reply = await request(port, '/stats/prometheus');
  assert.equal(reply.status, 200, reply.body);
  return { reply, families: parsePrometheus(reply.body) };
}

test('/stats/prometheus sums live workers, retired workers and the supervisor exactly', async (t) => {
  const started = await startPlugin(t);
  await feedCluster(started);
  const { reply, families } = await scrape(started.port);

  assert.equal(reply.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
  assert.equal(valueOf(families, 'mosn_http_requests_total', REQUESTS), 7 + 11 + 100);
  assert.equal(valueOf(families, 'mosn_host_requests_total', { cluster: 'backend', host: '10.0.0.1:8080' }), 5 + 6 + 40);
  assert.equal(valueOf(families, 'mosn_cluster_requests_total', { cluster: 'backend' }), 51);
  // A gauge is a current value: the live workers' sum, nothing of the exited worker.
  assert.equal(valueOf(families, 'mosn_listener_connections_active', { listener: 'ingress' }), 2 + 3);
  assert.equal(families.get('mosn_listener_connections_active')?.type, 'gauge');
  // Histograms: every bucket, the count and the sum add up.
  const h = 'mosn_http_request_duration_seconds';
  assert.equal(families.get(h)?.type, 'histogram');
  assert.equal(valueOf(families, `${h}_bucket`, { listener: 'ingress', le: '0.005' }), 3);
  assert.equal(valueOf(families, `${h}_bucket`, { listener: 'ingress', le: '0.05' }), 4);
  assert.equal(valueOf(families, `${h}_bucket`, { listener: 'ingress', le: '0.5' }), 5);
  assert.equal(valueOf(families, `${h}_bucket`, { listener: 'ingress', le: '+Inf' }), 6);
  assert.equal(valueOf(families, `${h}_count`, { listener: 'ingress' }), 6);
  assert.ok(Math.abs(valueOf(families, `${h}_sum`, { listener: 'ingress' }) - 1.218) < 1e-9);
  // The supervisor's own figures.
  assert.equal(valueOf(families, 'mosn_supervisor_generation'), 2);
  assert.equal(valueOf(families, 'mosn_supervisor_reloads_total', { result: 'ok' }), 1);
  assert.equal(valueOf(families, 'mosn_supervisor_worker_restarts_total'), 1);
  assert.equal(families.get('mosn_http_requests_total')?.help, 'HTTP requests answered.');
});

test('a worker that leaves the supervisor\'s list is counted once, through retired, and counters never go back', async (t) => {
  const started = await startPlugin(t);
  await feedCluster(started);
  const seen: number[] = [];
  const requests = async () => {
    const value = valueOf((await scrape(started.port)).families, 'mosn_http_requests_total', REQUESTS);
    seen.push(value);
    return value;
  };
  assert.equal(await requests(), 118);

  // Worker 102 serves 4 more requests, reports them, then exits: the supervisor's next report no
  // longer lists it and has its final figures in retired. Its last own report stays in the plugin.
  const final102 = { ...W102, requests: 15 };
  await started.plugin.metrics(await workerReport(102, workerRegistry(final102), { generation: 2, seq: 2 }));
  assert.equal(await requests(), 122);
  await started.plugin.metrics(
    await hostReport(hostState({ generation: 2, workers: [{ pid: 100, generation: 1, state: 'exited' }, { pid: 101 }] }), { seq: 2, retired: retiredOf(RETIRED_100, final102) }),
  );
  assert.equal(await requests(), 122, 'counted once: through retired, not also through its last report');

  // A replacement worker (pid 103) reports; it counts once the supervisor lists it.
  await started.plugin.metrics(await workerReport(103, workerRegistry({ requests: 2 }), { generation: 2 }));
  assert.equal(await requests(), 122);
  await started.plugin.metrics(
    await hostReport(hostState({ generation: 2, workers: [{ pid: 101 }, { pid: 102, state: 'exited' }, { pid: 103 }] }), { seq: 3, retired: retiredOf(RETIRED_100, final102) }),
  );
  assert.equal(await requests(), 124);
  // A late report from the exited worker changes nothing.
  await started.plugin.metrics(await workerReport(102, workerRegistry({ ...final102, requests: 16 }), { generation: 2, seq: 3 }));
  assert.equal(await requests(), 124);
  assert.deepEqual(seen, [...seen].sort((a, b) => a - b), 'never decreasing');
});

test('a restarted plugin fed the next cumulative reports shows the same totals', async (t) => {
  const first = await startPlugin(t);
  await feedCluster(first);
  const before = (await scrape(first.port)).reply.body;
  await first.plugin.close();

  const second = await startPlugin(t);
  await feedCluster(second, { hostFirst: true });
  const after = await scrape(second.port);
  assert.equal(valueOf(after.families, 'mosn_http_requests_total', REQUESTS), 118);
  assert.deepEqual(sortedLines(after.reply.body), sortedLines(before));
});

test('before the supervisor\'s first report the exposition is 503 (no retired totals yet: a dip would look like a reset); then it counts', async (t) => {
  const started = await startPlugin(t);
  await started.plugin.metrics(await workerReport(101, workerRegistry(W101)));
  await started.plugin.metrics(await workerReport(102, workerRegistry(W102)));
  const early = await request(started.port, '/stats/prometheus');
  assert.equal(early.status, 503);
  assert.match(early.body, /MOSN_ERR_ADMIN_NO_HOST_STATE/);
  await started.plugin.metrics(await hostReport(hostState({ workers: [{ pid: 101 }, { pid: 102 }] })));
  assert.equal(valueOf((await scrape(started.port)).families, 'mosn_http_requests_total', REQUESTS), 18);
});

test('a malformed metric is left out and logged; the rest of the report and the exposition stay valid', async (t) => {
  const started = await startPlugin(t);
  const good = await workerReport(101, workerRegistry(W101));
  await started.plugin.metrics({
    ...good,
    metrics: [
      ...good.metrics,
      { name: 'bad name', help: '', type: 'counter', aggregator: 'sum', values: [{ value: 1, labels: {} }] },
      { name: 'mosn_odd_total', help: '', type: 'counter', aggregator: 'median', values: [{ value: 1, labels: {} }] },
      { name: 'mosn_label_total', help: '', type: 'counter', aggregator: 'sum', values: [{ value: 1, labels: { 'bad-label': 'x' } }, { value: 2, labels: { ok: 'y' } }] },
    ],
  });
  // A report of the wrong shape altogether.
  await started.plugin.metrics({ source: 'worker', pid: 'x' } as never);
  // Another worker that declares a known family with another type.
  const other = await workerReport(102, workerRegistry(W102));
  await started.plugin.metrics({ ...other, metrics: other.metrics.map((m) => (m.name === 'mosn_http_requests_total' ? { ...m, type: 'gauge' as const } : m)) });

  await started.plugin.metrics(await hostReport(hostState({ workers: [{ pid: 101 }, { pid: 102 }] })));
  const { families } = await scrape(started.port);
  assert.equal(valueOf(families, 'mosn_http_requests_total', REQUESTS), 7, 'the mismatching declaration is left out');
  assert.equal(valueOf(families, 'mosn_host_requests_total', { cluster: 'backend', host: '10.0.0.1:8080' }), 11);
  assert.equal(valueOf(families, 'mosn_label_total', { ok: 'y' }), 2);
  assert.equal(families.has('mosn_odd_total'), false);
  const warnings = started.plugin.logs.filter((l) => l.code === 'MOSN_ERR_ADMIN_REPORT_INVALID').map((l) => String(l.msg));
  assert.ok(warnings.some((m) => m.includes('bad name')), JSON.stringify(warnings));
  assert.ok(warnings.some((m) => m.includes('median')), JSON.stringify(warnings));
  assert.ok(warnings.some((m) => m.includes('bad-label')), JSON.stringify(warnings));
  assert.ok(warnings.some((m) => m.includes('worker report: expected a number in')), JSON.stringify(warnings));
  assert.ok(warnings.some((m) => m.includes('mosn_http_requests_total: expected every sender to declare it counter/sum, found gauge/sum')), JSON.stringify(warnings));
});

test('a plugin with only an empty supervisor report answers a valid, empty exposition', async (t) => {
  const started = await startPlugin(t);
  await started.plugin.metrics(await hostReport(hostState({ workers: [] })));
  const { families } = await scrape(started.port);
  assert.equal(families.size, 0);
});

function sortedLines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '').sort();
}
