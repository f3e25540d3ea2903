import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OutlierDetectionConfig } from '@mosn/config';
import { OutlierDetector } from '../src/upstream/outlier-detector.js';
import { silentLogger, waitFor } from './helpers/servers.js';

function target(size: number) {
  const ejected = new Set<number>();
  return { size, ejected, setEjected: (i: number, on: boolean) => void (on ? ejected.add(i) : ejected.delete(i)), hostName: (i: number) => `h${i}` };
}

const config = (o: Partial<OutlierDetectionConfig> = {}): OutlierDetectionConfig => ({
  consecutive_5xx: 3,
  base_ejection_time: 40,
  max_ejection_time: 1000,
  max_ejection_percent: 50,
  interval: 60_000,
  ...o,
});

test('consecutive failures eject a host; a success in between resets the count', (t) => {
  const tg = target(4);
  const d = new OutlierDetector(tg, config({ base_ejection_time: 60_000 }), silentLogger);
  t.after(() => d.close());
  d.report(1, false);
  d.report(1, false);
  d.report(1, true);
  d.report(1, false);
  d.report(1, false);
  assert.equal(tg.ejected.has(1), false);
  d.report(1, false);
  assert.equal(tg.ejected.has(1), true);
  assert.equal(d.ejectionsTotal, 1);
});

test('an ejected host comes back after base_ejection_time, and the next ejection lasts twice as long', async (t) => {
  const tg = target(2);
  let now = 1_000_000;
  const d = new OutlierDetector(tg, config({ base_ejection_time: 40, max_ejection_percent: 100 }), silentLogger, () => now);
  t.after(() => d.close());
  for (let i = 0; i < 3; i++) d.report(0, false);
  const first = Date.now();
  assert.equal(tg.ejected.has(0), true);
  await waitFor(() => !tg.ejected.has(0), 'the host back in service');
  const firstMs = Date.now() - first;
  assert.ok(firstMs >= 35, `back after ${firstMs} ms`);
  now += 10; // well within `interval`: the multiplier is kept
  for (let i = 0; i < 3; i++) d.report(0, false);
  const second = Date.now();
  await waitFor(() => !tg.ejected.has(0), 'the host back again');
  const secondMs = Date.now() - second;
  assert.ok(secondMs >= 75, `second ejection lasted ${secondMs} ms, expected about 80`);
});

test('time in service earns back earlier ejections, one per interval', async (t) => {
  const tg = target(2);
  let now = 0;
  const d = new OutlierDetector(tg, config({ base_ejection_time: 20, interval: 100, max_ejection_percent: 100 }), silentLogger, () => now);
  t.after(() => d.close());
  for (let i = 0; i < 3; i++) d.report(0, false);
  await waitFor(() => !tg.ejected.has(0), 'back');
  now += 1000; // ten intervals later: back to a first ejection
  for (let i = 0; i < 3; i++) d.report(0, false);
  const start = Date.now();
  await waitFor(() => !tg.ejected.has(0), 'back again');
  assert.ok(Date.now() - start < 200, 'the ejection after a long healthy time is short again');
});

test('never ejects more than max_ejection_percent (at least one), and never every host', (t) => {
  const tg = target(4);
  const d = new OutlierDetector(tg, config({ max_ejection_percent: 10, base_ejection_time: 60_000 }), silentLogger);
  t.after(() => d.close());
  assert.equal(d.maxEjectedHosts, 1);
  for (const h of [0, 1, 2, 3]) for (let i = 0; i < 5; i++) d.report(h, false);
  assert.equal(tg.ejected.size, 1);

  const two = target(2);
  const all = new OutlierDetector(two, config({ max_ejection_percent: 100, base_ejection_time: 60_000 }), silentLogger);
  t.after(() => all.close());
  for (const h of [0, 1]) for (let i = 0; i < 5; i++) all.report(h, false);
  assert.equal(two.ejected.size, 1);

  const one = target(1);
  const single = new OutlierDetector(one, config({ max_ejection_percent: 100 }), silentLogger);
  for (let i = 0; i < 5; i++) single.report(0, false);
  assert.equal(one.ejected.size, 0);
});
