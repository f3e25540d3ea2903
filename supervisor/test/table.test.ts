import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatTable, formatUptime } from '../src/cli/table.js';

test('tables align columns two spaces apart without trailing spaces', () => {
  assert.equal(formatTable(['A', 'LONGER'], [['xyz', '1'], ['q', '22']]), 'A    LONGER\nxyz  1\nq    22');
});

test('uptimes read like ps: seconds, minutes, hours, days', () => {
  assert.deepEqual([5_000, 65_000, 3_700_000, 90_000_000].map(formatUptime), ['5s', '1m5s', '1h1m', '1d1h']);
});
