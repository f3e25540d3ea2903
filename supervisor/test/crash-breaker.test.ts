import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CrashBreaker } from '../src/plugin-host/crash-breaker.js';

test('the breaker opens at the 5th crash within the window, not for crashes spread wider', () => {
  const breaker = new CrashBreaker(5, 60_000);
  const t0 = 1_000_000;
  for (let i = 0; i < 4; i++) assert.equal(breaker.record(t0 + i * 1000), false);
  assert.equal(breaker.record(t0 + 4000), true);

  const spread = new CrashBreaker(5, 60_000);
  for (let i = 0; i < 10; i++) assert.equal(spread.record(t0 + i * 20_000), false, `crash ${i} is spread out`);
});

test('reset closes the breaker', () => {
  const breaker = new CrashBreaker(2, 60_000);
  breaker.record(1);
  assert.equal(breaker.record(2), true);
  breaker.reset();
  assert.equal(breaker.recent, 0);
  assert.equal(breaker.record(3), false);
});
