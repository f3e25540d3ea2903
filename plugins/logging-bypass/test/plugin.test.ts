import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { createTestPlugin } from '@mosn/plugin-sdk/testing';
import { ACCESS_LOG_ERROR_CODES, loggingBypassPlugin } from '../src/index.js';
import { numbered, parseStats, readLines, tempDir } from './helpers/logs.js';

async function plugin(t: import('node:test').TestContext, config: unknown = {}) {
  const p = await createTestPlugin(loggingBypassPlugin, { config });
  t.after(() => p.close());
  return p;
}

test('records without a format are written as JSON lines', async (t) => {
  const dir = await tempDir(t);
  const p = await plugin(t);
  const path = join(dir, 'access.json');
  await p.logRecords({ logs: [{ path }], records: [{ path: '/x', responseCode: 200 }, { path: '/y', method: 'POST', responseCode: 201 }] });
  const lines = (await readLines(path)).map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(
    lines.map((l) => [l['request_method'], l['request_path'], l['response_code']]),
    [
      ['GET', '/x', 200],
      ['POST', '/y', 201],
    ],
  );
});

test('one batch for two paths writes each file once, in its own format', async (t) => {
  const dir = await tempDir(t);
  const p = await plugin(t);
  const a = join(dir, 'a.log');
  const b = join(dir, 'b.log');
  await p.logRecords({
    logs: [{ path: a, format: '%request_method% %request_path% %response_code%' }, { path: b }],
    records: [
      { log: 0, path: '/1' },
      { log: 1, path: '/2' },
      { log: 0, path: '/3', responseCode: 404 },
    ],
  });
  assert.deepEqual(await readLines(a), ['GET /1 200', 'GET /3 404']);
  assert.deepEqual(
    (await readLines(b)).map((l) => (JSON.parse(l) as { request_path: string }).request_path),
    ['/2'],
  );
  const stats = parseStats(await p.call({ header: { op: 'stats' } }));
  assert.equal(stats.files[a]?.['writes'], 1, 'one write per file per batch');
  assert.equal(stats.files[a]?.['records'], 2);
  assert.equal(stats.files[b]?.['writes'], 1);
  assert.equal(stats.totals['records'], 3);
});

test('records keep their order across batches, and per worker when two workers interleave', async (t) => {
  const dir = await tempDir(t);
  const p = await plugin(t);
  const path = join(dir, 'access.log');
  const logs = [{ path, format: '%request_path%' }];
  // Sent without waiting, as workers do: the plugin must queue them in arrival order.
  const sends: Promise<void>[] = [];
  const seq = { 1: 0, 2: 0 };
  const n = { 1: 0, 2: 0 };
  const sent: string[] = [];
  for (let round = 0; round < 30; round++) {
    for (const worker of round % 3 === 0 ? ([2, 1] as const) : ([1, 2] as const)) {
      const records = Array.from({ length: 1 + ((round * worker) % 4) }, () => numbered(worker, n[worker]++));
      sent.push(...records.map((r) => r.path as string));
      sends.push(p.logRecords({ workerId: worker, pid: 1000 + worker, seq: ++seq[worker], logs, records }));
    }
  }
  await Promise.all(sends);
  const lines = await readLines(path);
  assert.equal(lines.length, n[1] + n[2]);
  for (const worker of [1, 2] as const) {
    const mine = lines.filter((l) => l.startsWith(`/w${worker}/`)).map((l) => Number(l.split('/')[2]));
    assert.deepEqual(mine, Array.from({ length: n[worker] }, (_, i) => i), `worker ${worker} in order, each once`);
  }
  assert.deepEqual(lines, sent, 'batches back to back, in the order they arrived');
  const stats = parseStats(await p.call({ header: { op: 'stats' } }));
  assert.equal(stats.totals['batches'], 60);
  assert.equal(stats.totals['batches_lost'], 0);
});

test('a gap in a worker\'s batch numbers is counted as lost batches; its drops are reported', async (t) => {
  const dir = await tempDir(t);
  const p = await plugin(t);
  const logs = [{ path: join(dir, 'access.log'), format: '%request_path%' }];
  await p.logRecords({ pid: 7, seq: 1, logs, records: [numbered(1, 0)] });
  await p.logRecords({ pid: 7, seq: 2, logs, records: [numbered(1, 1)] });
  await p.logRecords({ pid: 7, seq: 5, dropped: 12, logs, records: [numbered(1, 4)] });
  await p.logRecords({ pid: 7, seq: 5, dropped: 12, logs, records: [numbered(1, 4)] }); // seen already: skipped
  await p.logRecords({ pid: 8, seq: 3, dropped: 1, logs, records: [numbered(2, 0)] }); // first seen at 3: not a gap
  const stats = parseStats(await p.call({ header: { op: 'stats' } }));
  assert.deepEqual(
    stats.workers.map((w) => [w['pid'], w['last_seq'], w['batches_lost'], w['batches_duplicate'], w['dropped']]),
    [
      [7, 5, 2, 1, 12],
      [8, 3, 0, 0, 1],
    ],
  );
  assert.equal(stats.totals['batches_lost'], 2);
  assert.equal(stats.totals['worker_dropped'], 13);
  assert.deepEqual(await readLines(logs[0]!.path), ['/w1/0', '/w1/1', '/w1/4', '/w2/0'], 'the duplicate is not written twice');
  const warning = p.logs.find((l) => l['code'] === ACCESS_LOG_ERROR_CODES.batchesLost);
  assert.match(String(warning?.['msg']), /pid 7\): expected batch 3, found 5: 2 batch\(es\) lost/);
});

test('an unknown call op is answered 400 with a code', async (t) => {
  const p = await plugin(t);
  const result = await p.call({ header: { op: 'flush' } });
  assert.equal(result.status, 400);
  assert.deepEqual(JSON.parse(Buffer.from(result.body).toString()), {
    code: ACCESS_LOG_ERROR_CODES.callInvalid,
    message: 'expected header op "stats", found "flush"',
  });
});

test('an unwritable path is counted and logged, and the plugin keeps writing the others', async (t) => {
  const dir = await tempDir(t);
  const p = await plugin(t);
  const missingDir = join(dir, 'not-yet', 'access.log');
  const directory = join(dir, 'a-directory');
  await mkdir(directory);
  const good = join(dir, 'good.log');
  const logs = [
    { path: missingDir, format: '%request_path%' },
    { path: directory, format: '%request_path%' },
    { path: good, format: '%request_path%' },
  ];
  // A batch with records not written fails its hook, so the SDK acknowledges it as not written.
  await assert.rejects(p.logRecords({ logs, records: [{ log: 0, path: '/a' }, { log: 1, path: '/b' }, { log: 2, path: '/c' }, { log: 0, path: '/d' }] }), /2 of 3 file write\(s\) did not happen/);
  await assert.rejects(p.logRecords({ seq: 2, logs, records: [{ log: 0, path: '/e' }] }), /1 of 1 file write\(s\) did not happen/);
  assert.deepEqual(await readLines(good), ['/c']);
  let stats = parseStats(await p.call({ header: { op: 'stats' } }));
  assert.equal(stats.files[missingDir]?.['write_errors'], 2, 'each failed open is counted (retried per batch)');
  assert.equal(stats.files[missingDir]?.['records_failed'], 3);
  assert.equal(stats.files[directory]?.['records_failed'], 1);
  const opens = p.logs.filter((l) => l['code'] === ACCESS_LOG_ERROR_CODES.open);
  assert.match(String(opens.find((l) => l['path'] === missingDir)?.['msg']), /expected directory .*not-yet to exist \(the plugin does not create directories\), found ENOENT/);
  assert.match(String(opens.find((l) => l['path'] === directory)?.['msg']), /expected a file, found a directory/);
  assert.equal(opens.filter((l) => l['path'] === missingDir).length, 1, 'the same problem is logged once per interval, counted every time');

  // Once the directory exists, the next batch is written: nothing of the failed ones, nothing twice.
  await mkdir(join(dir, 'not-yet'));
  await p.logRecords({ seq: 3, logs, records: [{ log: 0, path: '/f' }] });
  assert.deepEqual(await readLines(missingDir), ['/f']);
  stats = parseStats(await p.call({ header: { op: 'stats' } }));
  assert.equal(stats.files[missingDir]?.['records'], 1);
});

test('records of a format that does not parse are counted and logged, not written', async (t) => {
  const dir = await tempDir(t);
  const p = await plugin(t);
  const path = join(dir, 'bad.log');
  await p.logRecords({ logs: [{ path, format: '%start_time% %StartTime%' }], records: [{}, {}] });
  assert.deepEqual(await readLines(path), []);
  const stats = parseStats(await p.call({ header: { op: 'stats' } }));
  assert.equal(stats.files[path]?.['format_errors'], 2);
  assert.ok(p.logs.some((l) => l['code'] === ACCESS_LOG_ERROR_CODES.formatInvalid && /found %StartTime%/.test(String(l['msg']))));
});

test('records pointing outside the batch\'s logs are counted as invalid', async (t) => {
  const dir = await tempDir(t);
  const p = await plugin(t);
  const path = join(dir, 'a.log');
  await p.logRecords({ logs: [{ path, format: '%request_path%' }], records: [{ log: 0, path: '/ok' }, { log: 3, path: '/lost' }] });
  assert.deepEqual(await readLines(path), ['/ok']);
  assert.equal(parseStats(await p.call({ header: { op: 'stats' } })).totals['invalid_records'], 1);
  assert.ok(p.logs.some((l) => l['code'] === ACCESS_LOG_ERROR_CODES.batchInvalid));
});

test('beyond max_pending a batch is dropped and counted; what is written is whole batches', async (t) => {
  const dir = await tempDir(t);
  const p = await plugin(t, { max_pending: '2KB' });
  const path = join(dir, 'a.log');
  const logs = [{ path, format: '%request_path%' }];
  const sends: Promise<void>[] = [];
  let failedBatches = 0;
  for (let b = 0; b < 200; b++) {
    sends.push(p.logRecords({ seq: b + 1, logs, records: Array.from({ length: 10 }, (_, i) => numbered(1, b * 10 + i)) }).catch(() => void failedBatches++));
  }
  await Promise.all(sends);
  const stats = parseStats(await p.call({ header: { op: 'stats' } }));
  const file = stats.files[path] ?? {};
  assert.ok((file['records_dropped'] ?? 0) > 0, 'some were dropped');
  assert.equal((file['records'] ?? 0) + (file['records_dropped'] ?? 0), 2000);
  assert.equal(failedBatches * 10, file['records_dropped'], 'each dropped batch failed its hook (acknowledged as not written)');
  assert.equal(file['pending_bytes'], 0);
  const lines = await readLines(path);
  assert.equal(lines.length, file['records']);
  const numbers = lines.map((l) => Number(l.split('/')[2]));
  assert.deepEqual(numbers, [...numbers].sort((a, b) => a - b), 'in order');
  assert.ok(p.logs.some((l) => l['code'] === ACCESS_LOG_ERROR_CODES.overloaded));
  assert.equal((await readFile(path, 'utf8')).split('\n').length - 1, lines.length);
});

test('closing the plugin writes the batches already queued, then closes the files', async (t) => {
  const dir = await tempDir(t);
  const p = await createTestPlugin(loggingBypassPlugin);
  const path = join(dir, 'a.log');
  const logs = [{ path, format: '%request_path%' }];
  const sends: Promise<void>[] = [];
  for (let b = 0; b < 50; b++) sends.push(p.logRecords({ seq: b + 1, logs, records: [numbered(1, b)] }));
  await p.close();
  await Promise.all(sends);
  assert.equal((await readLines(path)).length, 50);
});
