import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration } from '../src/index.js';

test('durations are read in Go/MOSN syntax', () => {
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('30s'), 30_000);
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.equal(parseDuration('1.5h'), 5_400_000);
  assert.equal(parseDuration('0'), 0);
  assert.equal(parseDuration('500us'), 0.5);
});

test('anything else is not a duration', () => {
  for (const text of ['', '30', 's', '1 s', '-1s', '1d', '30S', '1m 30s']) assert.equal(parseDuration(text), undefined, text);
});
