import assert from 'node:assert/strict';
import { readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { createTestPlugin } from '@mosn/plugin-sdk/testing';
import { loggingBypassPlugin } from '../src/index.js';
import { numbered, parseStats, readLines, tempDir } from './helpers/logs.js';

test('after an external rename and reopenLogs, new records go to the new file; nothing lost or duplicated', async (t) => {
  const dir = await tempDir(t);
  const p = await createTestPlugin(loggingBypassPlugin, { config: { rotation: { max_size: '0', interval: '0' } } });
  t.after(() => p.close());
  const path = join(dir, 'access.log');
  const logs = [{ path, format: '%request_path%' }];
  await p.logBytes({ seq: 1, logs, lines: [{ lines: [numbered(1, 0)] }] });
  // A batch still being written while logrotate renames: it belongs to the file it was opened on.
  const inFlight = p.logBytes({ seq: 2, logs, lines: [{ lines: [numbered(1, 1), numbered(1, 2)] }] });
  await rename(path, `${path}.1`);
  const reopened = p.reopenLogs();
  const after = p.logBytes({ seq: 3, logs, lines: [{ lines: [numbered(1, 3)] }] });
  await Promise.all([inFlight, reopened, after]);

  assert.deepEqual(await readLines(`${path}.1`), ['/w1/0', '/w1/1', '/w1/2']);
  assert.deepEqual(await readLines(path), ['/w1/3']);
  assert.ok(p.logs.some((l) => l['msg'] === 'access logs reopened'));
});

test('reopenLogs without a rename appends to the same file', async (t) => {
  const dir = await tempDir(t);
  const p = await createTestPlugin(loggingBypassPlugin);
  t.after(() => p.close());
  const path = join(dir, 'access.log');
  const logs = [{ path, format: '%request_path%' }];
  await p.logBytes({ seq: 1, logs, lines: [{ lines: [numbered(1, 0)] }] });
  await p.reopenLogs();
  await p.logBytes({ seq: 2, logs, lines: [{ lines: [numbered(1, 1)] }] });
  assert.deepEqual(await readLines(path), ['/w1/0', '/w1/1']);
});

test('a file moved away without a reopen is not renamed again when its size rotation comes', async (t) => {
  const dir = await tempDir(t);
  const p = await createTestPlugin(loggingBypassPlugin, { config: { rotation: { max_size: '20', interval: '0' } } });
  t.after(() => p.close());
  const path = join(dir, 'access.log');
  const logs = [{ path, format: '%request_path%' }];
  await p.logBytes({ seq: 1, logs, lines: [{ lines: [numbered(1, 0), numbered(1, 1)] }] }); // 12 bytes
  await rename(path, `${path}.moved`);
  await p.logBytes({ seq: 2, logs, lines: [{ lines: [numbered(1, 2), numbered(1, 3)] }] }); // would pass 20: rotation due
  assert.deepEqual(await readLines(`${path}.moved`), ['/w1/0', '/w1/1']);
  assert.deepEqual(await readLines(path), ['/w1/2', '/w1/3']);
  assert.deepEqual((await readdir(dir)).sort(), ['access.log', 'access.log.moved']);
  assert.equal(parseStats(await p.call({ header: { op: 'stats' } })).files[path]?.['rotations'], 0);
});
