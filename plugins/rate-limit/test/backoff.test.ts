import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reconnectDelay } from '../src/backoff.js';

test('reconnection backs off exponentially from min to max, jittered in the upper half', () => {
  const low = () => 0;
  const high = () => 1;
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 100].map((n) => reconnectDelay(n, 50, 2_000, high)), [50, 100, 200, 400, 800, 1_600, 2_000, 2_000]);
  assert.deepEqual([1, 2, 7].map((n) => reconnectDelay(n, 50, 2_000, low)), [25, 50, 1_000]);
});
