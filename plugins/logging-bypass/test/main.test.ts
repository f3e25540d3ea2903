import assert from 'node:assert/strict';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { launchTestPlugin } from '@mosn/plugin-sdk/testing';
import { LOGGING_BYPASS_PLUGIN_VERSION } from '../src/index.js';
import { numbered, parseStats, readLines, tempDir, waitFor, waitForLines } from './helpers/logs.js';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));

test('the plugin executable writes batches received over its socket, reopens its files and reports stats', async (t) => {
  const dir = await tempDir(t);
  const plugin = await launchTestPlugin(MAIN, { name: 'access-log', config: { rotation: { max_size: '0', interval: '0' } } });
  t.after(() => plugin.close());
  assert.equal(plugin.pluginVersion, LOGGING_BYPASS_PLUGIN_VERSION);
  assert.deepEqual([...plugin.initializeResult.hooks].sort(), ['call', 'logBytes', 'reopenLogs']);

  const text = join(dir, 'access.log');
  const other = join(dir, 'other.log');
  const logs = [{ path: text, format: '%request_path%' }, { path: other, format: '%request_method% %request_path%' }];
  const counts = { 1: 0, 2: 0 };
  for (let seq = 1; seq <= 10; seq++) {
    for (const worker of [1, 2] as const) {
      const mine = [0, 1, 2].map(() => numbered(worker, counts[worker]++));
      await plugin.logBytes({ workerId: worker, pid: 5000 + worker, seq, logs, lines: [{ log: 0, lines: mine.slice(0, 2) }, { log: 1, lines: [`GET ${mine[2]}`] }] });
    }
  }
  const lines = await waitForLines(text, 40);
  for (const worker of [1, 2]) {
    const mine = lines.filter((l) => l.startsWith(`/w${worker}/`)).map((l) => Number(l.split('/')[2]));
    assert.deepEqual(mine, [...mine].sort((a, b) => a - b), `worker ${worker} in order`);
  }
  assert.equal((await waitForLines(other, 20)).length, 20);

  await rename(text, `${text}.1`);
  await plugin.reopenLogs();
  await plugin.logBytes({ workerId: 1, pid: 5001, seq: 11, logs, lines: [{ lines: [numbered(1, 999)] }] });
  assert.deepEqual(await waitForLines(text, 1), ['/w1/999']);
  assert.equal((await readLines(`${text}.1`)).length, 40);

  const stats = await waitFor('stats counting every record', async () => {
    const s = parseStats(await plugin.call({ header: { op: 'stats' } }));
    return s.totals['records'] === 61 ? s : undefined;
  });
  assert.equal(stats.totals['batches'], 21);
  assert.equal(stats.totals['batches_lost'], 0);
  assert.equal(await plugin.close(), 0);
});

test('a batch whose "bytes" is not a list is refused by the SDK with what was found, and the plugin keeps writing', async (t) => {
  const dir = await tempDir(t);
  const plugin = await launchTestPlugin(MAIN, { name: 'access-log' });
  t.after(() => plugin.close());
  const path = join(dir, 'access.log');
  const logs = [{ path, format: '%request_path%' }];
  await plugin.notify('plugin/logRecords', { workerId: 1, pid: 5001, seq: 1, dropped: 0, logs, records: [], bytes: 'GET /\n' });
  await plugin.logBytes({ workerId: 1, pid: 5001, seq: 2, logs, lines: [{ lines: ['/after'] }] });
  assert.deepEqual(await waitForLines(path, 1), ['/after']);
  const refused = await waitFor('the refusal logged', () => plugin.logs.find((l) => l['code'] === 'MOSN_ERR_PLUGIN_REQUEST_INVALID'));
  assert.match(String(refused['msg']), /plugin\/logRecords: expected "bytes" to be a list of \{ log, records, bytes \}, found string/);
});

test('the executable refuses an invalid config at initialize with the path of the problem', async () => {
  await assert.rejects(launchTestPlugin(MAIN, { config: { rotation: { keep: 'ten' } } }), (error: Error) => {
    assert.match(error.message, /rotation\.keep/);
    return true;
  });
});
