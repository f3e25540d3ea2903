import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DecisionCache } from '../src/filter/stream/decision-cache.js';

test('the decision cache returns a value until its TTL, then forgets it', () => {
  const cache = new DecisionCache<string>(1000, 10);
  cache.set('k', 'allow', 0);
  assert.equal(cache.get('k', 999), 'allow');
  assert.equal(cache.get('k', 1000), undefined);
  assert.equal(cache.size, 0, 'an expired entry is dropped when met');
});

test('the decision cache is bounded: the oldest entry goes when it is full', () => {
  const cache = new DecisionCache<number>(60_000, 3);
  for (let i = 0; i < 5; i++) cache.set(`k${i}`, i, 0);
  assert.equal(cache.size, 3);
  assert.deepEqual(['k0', 'k1', 'k2', 'k3', 'k4'].map((k) => cache.get(k, 1)), [undefined, undefined, 2, 3, 4]);
});
