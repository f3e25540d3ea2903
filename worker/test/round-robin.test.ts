import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RoundRobin } from '../src/upstream/round-robin.js';

test('equal weights take hosts in turn', () => {
  const rr = new RoundRobin([1, 1, 1]);
  assert.deepEqual(Array.from({ length: 7 }, () => rr.pick()), [0, 1, 2, 0, 1, 2, 0]);
});

test('weights are honoured and interleaved (smooth weighted round robin)', () => {
  const rr = new RoundRobin([5, 1, 1]);
  const picks = Array.from({ length: 7 }, () => rr.pick());
  assert.deepEqual(picks, [0, 0, 1, 0, 2, 0, 0]);
  const counts = [0, 0, 0];
  for (let i = 0; i < 700; i++) counts[rr.pick()]!++;
  assert.deepEqual(counts, [500, 100, 100]);
});

test('no hosts means no pick', () => {
  assert.equal(new RoundRobin([]).pick(), -1);
});
