import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReportStore } from '../src/metrics/report-store.js';
import { manualClock } from './helpers/plugin.js';
import { hostReport, hostState, workerRegistry, workerReport } from './helpers/reports.js';

test('without a supervisor report, worker reports count until they are 3 intervals old', async () => {
  const clock = manualClock();
  const store = new ReportStore({ intervalMs: 1_000, now: clock.now });
  store.accept(await workerReport(101, workerRegistry({ requests: 1 })));
  clock.advance(2_000);
  store.accept(await workerReport(102, workerRegistry({ requests: 1 })));
  assert.deepEqual(store.liveWorkers().map((w) => w.report.pid), [101, 102]);
  clock.advance(1_000);
  assert.deepEqual(store.liveWorkers().map((w) => w.report.pid), [102]);
});

test('with a supervisor report, its list decides, however old the worker reports', async () => {
  const clock = manualClock();
  const store = new ReportStore({ intervalMs: 1_000, now: clock.now });
  for (const pid of [101, 102, 103]) store.accept(await workerReport(pid, workerRegistry({ requests: 1 })));
  store.accept(await hostReport(hostState({ workers: [{ pid: 101 }, { pid: 102, state: 'draining' }, { pid: 103, state: 'exited' }] })));
  clock.advance(60_000);
  assert.deepEqual(store.liveWorkers().map((w) => w.report.pid), [101, 102], 'a draining worker still counts; an exited one does not');
  // A worker the supervisor does not list yet (just started) is kept, not counted, until it is listed.
  store.accept(await workerReport(104, workerRegistry({ requests: 1 })));
  assert.deepEqual(store.liveWorkers().map((w) => w.report.pid), [101, 102]);
  store.accept(await hostReport(hostState({ workers: [{ pid: 101 }, { pid: 104 }] }), { seq: 2 }));
  assert.deepEqual(store.liveWorkers().map((w) => w.report.pid), [101, 104]);
});

test('an older report of the same sender is ignored', async () => {
  const store = new ReportStore({ intervalMs: 1_000 });
  assert.equal(store.accept(await workerReport(101, workerRegistry({ requests: 5 }), { seq: 2 })).accepted, true);
  const older = store.accept(await workerReport(101, workerRegistry({ requests: 3 }), { seq: 1 }));
  assert.equal(older.accepted, false);
  assert.match(older.problems[0] ?? '', /expected seq above 2, found 1/);
  assert.equal(store.accept(await hostReport(hostState({ workers: [] }), { seq: 5 })).accepted, true);
  assert.equal(store.accept(await hostReport(hostState({ workers: [] }), { seq: 5 })).accepted, false);
});

test('gauges are left out of retired: an exited worker has no current value', async () => {
  const store = new ReportStore({ intervalMs: 1_000 });
  store.accept(await hostReport(hostState({ workers: [] }), { retired: workerRegistry({ requests: 9, active: 4 }) }));
  const names = (store.host?.retired ?? []).map((m) => m.name);
  assert.ok(names.includes('mosn_http_requests_total'));
  assert.ok(names.includes('mosn_http_request_duration_seconds'));
  assert.ok(!names.includes('mosn_listener_connections_active'));
  assert.ok(!names.includes('mosn_host_healthy'));
});

test('the supervisor\'s flush interval (intervalMs in its report) replaces the plugin\'s own for staleness', async () => {
  const clock = manualClock();
  const store = new ReportStore({ intervalMs: 1_000, now: clock.now });
  store.accept({ ...(await hostReport(hostState({ workers: [] }))), intervalMs: 5_000 });
  const receivedAt = clock.now();
  assert.equal(store.intervalMs, 5_000);
  clock.advance(14_000);
  assert.equal(store.isStale(receivedAt), false, '14 s is under 3 × 5 s');
  clock.advance(1_000);
  assert.equal(store.isStale(receivedAt), true);
});
