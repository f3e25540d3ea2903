import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'queued-rows-heap.js');

test('queued rows keep their values, not the 32 KB request heads the values were sliced from', () => {
  const run = spawnSync(process.execPath, ['--expose-gc', FIXTURE, 'measure'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(run.status, 0, run.stderr);
  const { rows, kept } = JSON.parse(run.stdout) as { rows: number; kept: number };
  assert.equal(rows, 2000);
  // The heads are 2000 × 32 KB = 64 MB; a row with its own values is well under 1 KB.
  assert.ok(kept < 2000 * 2048, `the queued rows keep ${(kept / 1024 / 1024).toFixed(1)} MB of heap, expected under 4 MB`);
});
