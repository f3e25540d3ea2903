import assert from 'node:assert/strict';
import { readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { createTestPlugin } from '@mosn/plugin-sdk/testing';
import { loggingBypassPlugin } from '../src/index.js';
import { allLines, numbered, parseStats, readLines, rotatedFiles, tempDir, waitFor } from './helpers/logs.js';

const FORMAT = '%request_path% %request_method% %response_code% %bytes_sent% padding-to-make-lines-longer';

/** Record n of worker 1 as the worker renders FORMAT for it. */
function line(n: number): string {
  return `${numbered(1, n)} GET 200 0 padding-to-make-lines-longer`;
}

async function plugin(t: TestContext, rotation: Record<string, unknown>) {
  const p = await createTestPlugin(loggingBypassPlugin, { config: { rotation } });
  t.after(() => p.close());
  return p;
}

function expectedPaths(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `/w1/${i}`);
}

function pathsOf(lines: readonly string[]): string[] {
  return lines.map((l) => l.split(' ')[0] as string);
}

test('size rotation with gzip keeps every record exactly once across the current and rotated files', async (t) => {
  const dir = await tempDir(t);
  const p = await plugin(t, { max_size: '2KB', interval: '0', keep: 1000, compress: true });
  const path = join(dir, 'access.log');
  const logs = [{ path, format: FORMAT }];
  const sends: Promise<void>[] = [];
  for (let b = 0; b < 60; b++) sends.push(p.logBytes({ seq: b + 1, logs, lines: [{ lines: Array.from({ length: 5 }, (_, i) => line(b * 5 + i)) }] }));
  await Promise.all(sends);
  await p.state.housekeepingIdle();

  const { files, lines } = await allLines(dir, 'access.log');
  assert.ok(files.length >= 5, `expected several rotations, found ${files.length}`);
  assert.ok(files.every((f) => f.endsWith('.gz')), `every rotated file compressed: ${files.join(', ')}`);
  assert.deepEqual(pathsOf(lines), expectedPaths(300), 'each record once, in order');
  for (const file of files) {
    const size = gunzipSync(await readFile(file)).length;
    assert.ok(size <= 2048, `${file}: ${size} bytes, expected at most max_size`);
  }
  const stats = parseStats(await p.call({ header: { op: 'stats' } })).files[path] ?? {};
  assert.equal(stats['rotations'], files.length);
  assert.equal(stats['compressions'], files.length);
  assert.equal(stats['records'], 300);
});

test('beyond keep the oldest rotated files are deleted; the rest is the newest records, once each', async (t) => {
  const dir = await tempDir(t);
  const p = await plugin(t, { max_size: '1KB', interval: '0', keep: 2 });
  const path = join(dir, 'access.log');
  const logs = [{ path, format: FORMAT }];
  for (let b = 0; b < 40; b++) await p.logBytes({ seq: b + 1, logs, lines: [{ lines: Array.from({ length: 3 }, (_, i) => line(b * 3 + i)) }] });
  await p.state.housekeepingIdle();

  const { files, lines } = await allLines(dir, 'access.log');
  assert.equal(files.length, 2);
  assert.ok(files.every((f) => !f.endsWith('.gz')), 'compress is off');
  const got = pathsOf(lines);
  assert.deepEqual(got, expectedPaths(120).slice(120 - got.length), 'a contiguous tail ending with the last record');
  const stats = parseStats(await p.call({ header: { op: 'stats' } })).files[path] ?? {};
  assert.equal(stats['deleted'], (stats['rotations'] ?? 0) - 2);
});

test('time rotation rolls the file at an interval boundary even when no batch comes, then gzips it', async (t) => {
  const dir = await tempDir(t);
  const p = await plugin(t, { max_size: '0', interval: '300ms', keep: 10, compress: true });
  const path = join(dir, 'access.log');
  const logs = [{ path, format: FORMAT }];
  await p.logBytes({ seq: 1, logs, lines: [{ lines: [line(0), line(1), line(2)] }] });
  const [first] = await waitFor('a gzipped rotated file', async () => {
    const files = await rotatedFiles(dir, 'access.log');
    return files.length > 0 && files.every((f) => f.endsWith('.gz')) ? files : undefined;
  });
  assert.deepEqual(pathsOf(await readLines(first as string)), expectedPaths(3), 'the first batch alone, rolled by the timer');
  await p.logBytes({ seq: 2, logs, lines: [{ lines: [line(3), line(4)] }] });
  await p.state.housekeepingIdle();
  const { lines } = await allLines(dir, 'access.log');
  assert.deepEqual(pathsOf(lines), expectedPaths(5));
  assert.equal(parseStats(await p.call({ header: { op: 'stats' } })).files[path]?.['rotation_errors'], 0);
});

function stamp(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}-${p(d.getMinutes())}-${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

test('on first open, leftovers of a previous run are compressed and files older than max_age deleted', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'access.log');
  const old = `${path}.${stamp(new Date(2020, 0, 1))}`;
  const recent = `${path}.${stamp(new Date(Date.now() - 3_600_000))}`;
  const staleTmp = `${path}.${stamp(new Date(Date.now() - 7_200_000))}.gz.tmp`;
  await writeFile(old, 'old\n');
  await writeFile(recent, 'recent\n');
  await writeFile(staleTmp, 'half');
  const longAgo = new Date(Date.now() - 3_600_000);
  await utimes(staleTmp, longAgo, longAgo);
  const unrelated = join(dir, 'access.log.bak');
  await writeFile(unrelated, 'not ours\n');

  const p = await plugin(t, { keep: 10, max_age: '240h', compress: true });
  await p.logBytes({ logs: [{ path, format: '%request_path%' }], lines: [{ lines: ['/new'] }] });
  await p.state.housekeepingIdle();

  assert.deepEqual(await readLines(path), ['/new']);
  await assert.rejects(stat(old), { code: 'ENOENT' }, 'older than max_age');
  await assert.rejects(stat(staleTmp), { code: 'ENOENT' }, 'a dead compression');
  await assert.rejects(stat(recent), { code: 'ENOENT' }, 'replaced by its .gz');
  assert.deepEqual(await readLines(`${recent}.gz`), ['recent']);
  assert.deepEqual(await readLines(unrelated), ['not ours']);
});
