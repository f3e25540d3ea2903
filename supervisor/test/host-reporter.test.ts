import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostState } from '@mosn/ipc-protocol';
import { HostReporter } from '../src/metrics/host-reporter.js';

const state = {} as HostState;
const figure = (report: Awaited<ReturnType<HostReporter['report']>>, name: string, labels: Record<string, string> = {}): number =>
  report.metrics.find((m) => m.name === name)?.values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value ?? -1;

test('restart counters never go back when the generation or plugin instance that held them goes away', async () => {
  const reporter = new HostReporter();
  const at = async (workerRestarts: number, pluginRestarts: number) =>
    reporter.report({ generation: 1, reloads: { ok: 0, failed: 0 }, workerRestarts, pluginRestarts: [{ name: 'auth', restarts: pluginRestarts }] }, state);
  assert.equal(figure(await at(2, 1), 'mosn_supervisor_worker_restarts_total'), 2);
  // The generation with 2 restarts drained away, a new one has none yet; the plugin was replaced.
  const after = await at(0, 0);
  assert.equal(figure(after, 'mosn_supervisor_worker_restarts_total'), 2);
  assert.equal(figure(after, 'mosn_supervisor_plugin_restarts_total', { plugin: 'auth' }), 1);
  assert.equal(figure(await at(1, 2), 'mosn_supervisor_worker_restarts_total'), 3);
});

test('retired figures of exited workers add up', async () => {
  const reporter = new HostReporter();
  const worker = (n: number) => [{ name: 'mosn_http_requests_total', help: 'h', type: 'counter' as const, aggregator: 'sum', values: [{ value: n, labels: { listener: 'l' } }] }];
  await reporter.retire(worker(5));
  await reporter.retire(worker(7));
  const report = await reporter.report({ generation: 1, reloads: { ok: 0, failed: 0 }, workerRestarts: 0, pluginRestarts: [] }, state);
  assert.equal(report.retired?.find((m) => m.name === 'mosn_http_requests_total')?.values[0]?.value, 12);
});
