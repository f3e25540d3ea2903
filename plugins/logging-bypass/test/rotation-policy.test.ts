import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextPeriodStart, periodOf, rotationStamp, rotationsToDelete } from '../src/rotation.js';
import type { RotatedLog } from '../src/rotation.js';

const HOUR = 3_600_000;

test('time periods are aligned to local time: "24h" starts at local midnight, "1h" on the hour', () => {
  const evening = new Date(2024, 4, 1, 23, 59, 59, 999).getTime();
  const midnight = new Date(2024, 4, 2, 0, 0, 0, 0).getTime();
  assert.equal(periodOf(midnight, 24 * HOUR), periodOf(evening, 24 * HOUR) + 1);
  assert.equal(nextPeriodStart(evening, 24 * HOUR), midnight);
  assert.equal(nextPeriodStart(new Date(2024, 4, 1, 10, 20).getTime(), HOUR), new Date(2024, 4, 1, 11, 0).getTime());
  assert.equal(nextPeriodStart(new Date(2024, 4, 1, 10, 20).getTime(), 15 * 60_000), new Date(2024, 4, 1, 10, 30).getTime());
});

test('rotated names carry the local time of the roll, sortable, without ":"', () => {
  assert.equal(rotationStamp(new Date(2024, 0, 2, 3, 4, 5, 6).getTime()), '2024-01-02T03-04-05.006');
});

test('rotated files beyond keep or older than max_age are the ones deleted, oldest first', () => {
  const now = new Date(2024, 4, 10).getTime();
  const at = (days: number, counter = 0): RotatedLog => ({ name: `a.${days}.${counter}`, rotatedAt: now - days * 24 * HOUR, counter, plain: true, gz: false, tmp: false });
  const rotated = [at(9), at(5), at(5, 1), at(2), at(1)];
  assert.deepEqual(rotationsToDelete(rotated, 3, undefined, now).map((r) => r.name), ['a.9.0', 'a.5.0']);
  assert.deepEqual(rotationsToDelete(rotated, 10, 4 * 24 * HOUR, now).map((r) => r.name), ['a.9.0', 'a.5.0', 'a.5.1']);
  assert.deepEqual(rotationsToDelete(rotated, 0, undefined, now).length, 5);
  const onlyTmp: RotatedLog = { ...at(20), plain: false, tmp: true };
  assert.deepEqual(rotationsToDelete([onlyTmp, ...rotated], 10, undefined, now), [], 'a lone .gz.tmp is not a rotation');
});
