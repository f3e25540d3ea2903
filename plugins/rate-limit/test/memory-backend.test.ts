import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryBackend } from '../src/memory-backend.js';
import { UNIT_MS, windowStart } from '../src/window.js';
import { T0 } from './helpers/rate-limit.js';

const counter = (key: string, unit: 'second' | 'minute', nowMs: number) => ({ key, unit, unitMs: UNIT_MS[unit], windowStartMs: windowStart(nowMs, UNIT_MS[unit]) });

test('memory stays bounded: a new window drops the counters of the previous one of its unit', () => {
  const backend = new MemoryBackend();
  for (let i = 0; i < 100; i++) backend.increment([counter(`ip-${i}`, 'second', T0), counter(`ip-${i}`, 'minute', T0)], 1);
  assert.equal(backend.size, 200);
  assert.deepEqual(backend.increment([counter('ip-1', 'second', T0 + 999)], 2), [3]);
  assert.deepEqual(backend.increment([counter('ip-1', 'second', T0 + 1_000)], 1), [1], 'the next second counts from zero');
  assert.equal(backend.size, 100 + 1, 'the previous second is gone; the minute is still current');
  assert.deepEqual(backend.increment([counter('ip-1', 'minute', T0 + 60_000)], 1), [1]);
  assert.equal(backend.size, 2);
});

test('a clock that steps back keeps counting in the newest window', () => {
  const backend = new MemoryBackend();
  assert.deepEqual(backend.increment([counter('a', 'second', T0 + 1_000)], 1), [1]);
  assert.deepEqual(backend.increment([counter('a', 'second', T0 + 500)], 1), [2]);
});

test('max_counters: a new descriptor beyond the cap fails (the filter\'s failure mode decides); known ones still count', () => {
  const backend = new MemoryBackend(3);
  for (const key of ['a', 'b', 'c']) backend.increment([counter(key, 'minute', T0)], 1);
  assert.throws(() => backend.increment([counter('d', 'minute', T0)], 1), { code: 'MOSN_ERR_RATE_LIMIT_BACKEND_FAILED', message: /at most 3 counters \(max_counters\)/ });
  assert.deepEqual(backend.increment([counter('a', 'minute', T0)], 1), [2]);
  assert.equal(backend.size, 3);
});
