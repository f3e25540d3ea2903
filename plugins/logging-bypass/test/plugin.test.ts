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

test('one batch for two paths writes each file once, with its lines as the worker formatted them', async (t) => {
  const dir = await tempDir(t);
  const p = await plugin(t);
  const a = join(dir, 'a.log');
  const b = join(dir, 'b.log');
  await p.logBytes({
    logs: [{ path: a, format: '%request_method% %request_path% %response_code%' }, { path: b }],
    lines: [
      { log: 0, lines: ['GET /1 200', 'GET /3 404'] },
      { log: 1, lines: ['{"request_path":"/2"}'] },
    ],
  });
  assert.deepEqual(await readLines(a), ['GET /1 200', 'GET /3 404']);
  assert.deepEqual(await readLines(b), ['{"request_path":"/2"}']);
  const stats = parseStats(await p.call({ header: { op: 'stats' } }));
  assert.equal(stats.files[a]?.['writes'], 1, 'one write per file per batch');
  assert.equal(stats.files[a]?.['records'], 2);
  assert.equal(stats.files[b]?.['writes'], 1);
  assert.equal(stats.totals['records'], 3);
});

test('two logs with one path (two formats) share its file: one write per batch, in the order of the entries', async (t) => {
  const dir = await tempDir(t);
  const p = await plugin(t);
  const path = join(dir, 'shared.log');
  await p.logBytes({ logs: [{ path, format: '%request_path%' }, { path, format: '%request_method%' }], lines: [{ log: 0, lines: ['/a', '/b'] }, { log: 1, lines: ['GET'] }] });
  assert.deepEqual(await readLines(path), ['/a', '/b', 'GET']);
  const stats = parseStats(await p.call({ header: { op: 'stats' } }));
  assert.equal(stats.files[path]?.['writes'], 1);
  assert.equal(stats.files[path]?.['records'], 3);
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
      const lines = Array.from({ length: 1 + ((round * worker) % 4) }, () => numbered(worker, n[worker]++));
      sent.push(...lines);
      sends.push(p.logBytes({ workerId: worker, pid: 1000 + worker, seq: ++seq[worker], logs, lines: [{ lines }] }));
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
  await p.logBytes({ pid: 7, seq: 1, logs, lines: [{ lines: [numbered(1, 0)] }] });
  await p.logBytes({ pid: 7, seq: 2, logs, lines: [{ lines: [numbered(1, 1)] }] });
  await p.logBytes({ pid: 7, seq: 5, dropped: 12, logs, lines: [{ lines: [numbered(1, 4)] }] });
  await p.logBytes({ pid: 7, seq: 5, dropped: 12, logs, lines: [{ lines: [numbered(1, 4)] }] }); // seen already: skipped
  await p.logBytes({ pid: 8, seq: 3, dropped: 1, logs, lines: [{ lines: [numbered(2, 0)] }] }); // first seen at 3: not a gap
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
  await assert.rejects(p.logBytes({ logs, lines: [{ log: 0, lines: ['/a', '/d'] }, { log: 1, lines: ['/b'] }, { log: 2, lines: ['/c'] }] }), /2 of 3 file write\(s\) did not happen/);
  await assert.rejects(p.logBytes({ seq: 2, logs, lines: [{ log: 0, lines: ['/e'] }] }), /1 of 1 file write\(s\) did not happen/);
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
  await p.logBytes({ seq: 3, logs, lines: [{ log: 0, lines: ['/f'] }] });
  assert.deepEqual(await readLines(missingDir), ['/f']);
  stats = parseStats(await p.call({ header: { op: 'stats' } }));
  assert.equal(stats.files[missingDir]?.['records'], 1);
});

test('entries that break the wire contract are counted as invalid and logged with what was found; the rest of the batch is written', async (t) => {
  const dir = await tempDir(t);
  const p = await plugin(t);
  const path = join(dir, 'a.log');
  const logs = [{ path, format: '%request_path%' }];
  await p.logBytes({ logs, lines: [{ log: 0, lines: ['/ok'] }, { log: 3, lines: ['/lost', '/lost'] }] });
  assert.ok(p.logs.some((l) => l['code'] === ACCESS_LOG_ERROR_CODES.batchInvalid && /bytes\[1\]: expected "log" to index "logs" \(1 entries\), found 3/.test(String(l['msg']))));
  // What the test helper never builds: straight to the hook's state, as a bad batch would arrive.
  const bad: [unknown, number, RegExp][] = [
    [{ log: 0, records: 1, bytes: Buffer.from('/no-newline') }, 1, /expected "bytes" to end with a newline, found "\/no-newline" at its end/],
    [{ log: 0, records: 0, bytes: Buffer.from('/x\n') }, 1, /expected "records" to be the number of lines in "bytes" \(at least one\), found 0/],
    [{ log: 0, records: '1', bytes: Buffer.from('/x\n/y\n') }, 2, /found "1"/],
    [{ log: 0, records: 1, text: '/x\n' }, 1, /expected "bytes" to be bytes, found undefined/],
    ['not an entry', 1, /expected an object, found string/],
  ];
  let seq = 2;
  let invalid = 2;
  for (const [entry, records, message] of bad) {
    // A pid per batch: the plugin logs the same problem of one worker once per interval.
    await p.state.handleBatch({ workerId: 1, pid: 1000 + seq, seq: seq++, dropped: 0, logs, bytes: [entry, { log: 0, records: 1, bytes: Buffer.from(`/ok${seq}\n`) }] as never });
    invalid += records;
    assert.equal(parseStats(await p.call({ header: { op: 'stats' } })).totals['invalid_records'], invalid, JSON.stringify(entry));
    assert.ok(p.logs.some((l) => message.test(String(l['msg']))), `logged: ${message}`);
  }
  assert.deepEqual(await readLines(path), ['/ok', '/ok3', '/ok4', '/ok5', '/ok6', '/ok7']);
  assert.equal(parseStats(await p.call({ header: { op: 'stats' } })).files[path]?.['records'], 6);
});

test('a batch without "bytes" is refused as a whole and logged', async (t) => {
  const p = await plugin(t);
  await p.state.handleBatch({ workerId: 1, pid: process.pid, seq: 1, dropped: 0, logs: [], records: [] } as never);
  assert.ok(p.logs.some((l) => l['code'] === ACCESS_LOG_ERROR_CODES.batchInvalid && /expected "logs" and "bytes" arrays, found an array and undefined/.test(String(l['msg']))));
  assert.equal(parseStats(await p.call({ header: { op: 'stats' } })).totals['batches'], 0, 'not counted as a batch either');
});

test('beyond max_pending a batch is dropped and counted; what is written is whole batches', async (t) => {
  const dir = await tempDir(t);
  const p = await plugin(t, { max_pending: '2KB' });
  const path = join(dir, 'a.log');
  const logs = [{ path, format: '%request_path%' }];
  const sends: Promise<void>[] = [];
  let failedBatches = 0;
  for (let b = 0; b < 200; b++) {
    sends.push(p.logBytes({ seq: b + 1, logs, lines: [{ lines: Array.from({ length: 10 }, (_, i) => numbered(1, b * 10 + i)) }] }).catch(() => void failedBatches++));
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
  for (let b = 0; b < 50; b++) sends.push(p.logBytes({ seq: b + 1, logs, lines: [{ lines: [numbered(1, b)] }] }));
  await p.close();
  await Promise.all(sends);
  assert.equal((await readLines(path)).length, 50);
});
