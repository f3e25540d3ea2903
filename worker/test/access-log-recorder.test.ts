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

test('a listener times the request and response steps only when one of its logs prints them', async () => {
  const { AccessLogRecorder } = await import('../src/access-log/access-log-recorder.js');
  // Only `target()` of the batcher is used while a recorder is made.
  const batcher = { target: () => 0 } as unknown as ConstructorParameters<typeof AccessLogRecorder>[1];
  const ids = { next: () => 'id' };
  const log = (log_format: string | undefined) => ({ log_path: '/tmp/a.log', log_format, request_headers: [], response_headers: [] });
  const timesSteps = (...formats: (string | undefined)[]) => new AccessLogRecorder(formats.map(log), batcher, ids).timesSteps;
  assert.equal(timesSteps('%request_path% %duration% %REQ.x-response_received_duration%'), false);
  assert.equal(timesSteps('%request_path%', '%response_code% %bytes_sent%'), false);
  assert.equal(timesSteps('%request_path%', '%request_received_duration%'), true);
  assert.equal(timesSteps('%response_received_duration%'), true);
  assert.equal(timesSteps('%request_path%', undefined), true, 'a JSON log prints every value');
  assert.equal(timesSteps(''), true, 'an empty format is a JSON log');
});
