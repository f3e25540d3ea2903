import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Backoff } from '../src/generation/backoff.js';

test('backoff doubles from the base up to the cap, each step jittered by at most 20%', () => {
  const backoff = new Backoff(100, 1000, 60_000);
  const delays = Array.from({ length: 6 }, () => backoff.next(0));
  const raw = [100, 200, 400, 800, 1000, 1000];
  delays.forEach((d, i) => {
    const r = raw[i] ?? 0;
    assert.ok(d >= r * 0.8 && d <= Math.min(1000, r * 1.2), `step ${i}: ${d} not within 20% of ${r}`);
  });
});

test('a process that stayed up long enough starts again from the first step; reset() does too', () => {
  const backoff = new Backoff(100, 30_000, 5_000);
  for (let i = 0; i < 5; i++) backoff.next(0);
  assert.ok(backoff.next(5_000) <= 120, 'long uptime resets the sequence');
  for (let i = 0; i < 5; i++) backoff.next(0);
  backoff.reset();
  assert.equal(backoff.attempts, 0);
  assert.ok(backoff.next(0) <= 120);
});
