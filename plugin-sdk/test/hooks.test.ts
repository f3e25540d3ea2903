import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PLUGIN_SDK_ERROR_CODES } from '../src/index.js';
import type { LogRecordBatch, PluginDefinition, RateLimitResult } from '../src/index.js';
import { createTestPlugin } from '../src/testing.js';

// A fixed-window counter per descriptor: enough to see the hooks' plumbing, not a rate limiter.
const limiter: PluginDefinition<never, { counts: Map<string, number>; batches: LogRecordBatch[]; reopened: number }> = {
  name: 'hooks',
  version: '1.0.0',
  setup: () => ({ counts: new Map(), batches: [], reopened: 0 }),
  hooks: {
    rateLimit(request, { state }): RateLimitResult {
      const statuses = request.descriptors.map((d) => {
        const key = `${request.domain}|${d.entries.map((e) => `${e.key}=${e.value}`).join(',')}`;
        const used = (state.counts.get(key) ?? 0) + request.hitsAddend;
        state.counts.set(key, used);
        return {
          code: used > 2 ? ('OVER_LIMIT' as const) : ('OK' as const),
          limit: { requestsPerUnit: 2, unit: 'minute' as const },
          limitRemaining: Math.max(0, 2 - used),
          durationUntilResetMs: 1000,
        };
      });
      return { overallCode: statuses.some((s) => s.code === 'OVER_LIMIT') ? 'OVER_LIMIT' : 'OK', statuses };
    },
    logRecords(batch, { state }) {
      state.batches.push(batch);
    },
    reopenLogs({ state }) {
      state.reopened++;
    },
  },
};

test('rateLimit gets descriptors as entry lists (objects are turned into entries in order)', async (t) => {
  const plugin = await createTestPlugin(limiter);
  t.after(() => plugin.close());
  const ask = () => plugin.rateLimit({ domain: 'edge', descriptors: [{ remote_address: '10.0.0.1', path: '/a' }] });
  assert.equal((await ask()).overallCode, 'OK');
  assert.equal((await ask()).statuses[0]?.limitRemaining, 0);
  const third = await ask();
  assert.equal(third.overallCode, 'OVER_LIMIT');
  assert.deepEqual([...plugin.state.counts.keys()], ['edge|remote_address=10.0.0.1,path=/a']);
});

test('logRecords receives batches in order with neutral defaults filled in; reopenLogs reaches the hook', async (t) => {
  const plugin = await createTestPlugin(limiter);
  t.after(() => plugin.close());
  await plugin.logRecords({ seq: 1, logs: [{ path: '/tmp/a.log' }], records: [{ path: '/x', responseCode: 404 }] });
  await plugin.logRecords({ seq: 2, logs: [{ path: '/tmp/a.log' }], records: [] });
  await plugin.reopenLogs();
  assert.deepEqual(plugin.state.batches.map((b) => b.seq), [1, 2]);
  assert.equal(plugin.state.batches[0]?.records[0]?.responseCode, 404);
  assert.equal(plugin.state.batches[0]?.records[0]?.method, 'GET');
  assert.equal(plugin.state.reopened, 1);
});

test('logLines receives each log\'s lines as one text with its newlines; a lines-only plugin refuses records', async (t) => {
  const seen: { seq: number; lines: readonly { log: number; records: number; text: string }[] }[] = [];
  const plugin = await createTestPlugin({ name: 'lines', version: '1.0.0', hooks: { logLines: (batch) => void seen.push({ seq: batch.seq, lines: batch.lines }) } });
  t.after(() => plugin.close());
  assert.deepEqual([...plugin.hooks], ['logLines']);
  await plugin.logLines({ seq: 4, logs: [{ path: '/tmp/a.log' }, { path: '/tmp/b.log', format: '%request_path%' }], lines: [{ log: 1, lines: ['/x', '/y'] }, { lines: ['{}'] }] });
  assert.deepEqual(seen, [{ seq: 4, lines: [{ log: 1, records: 2, text: '/x\n/y\n' }, { log: 0, records: 1, text: '{}\n' }] }]);
  await assert.rejects(plugin.logRecords({ logs: [{ path: '/tmp/a.log' }], records: [{}] }), { code: PLUGIN_SDK_ERROR_CODES.hookNotProvided, message: /does not provide the logRecords hook; it provides: logLines/ });
});

test('logBytes receives each log\'s lines as the bytes sent, with their newlines; a bytes-only plugin refuses lines', async (t) => {
  const seen: { seq: number; bytes: { log: number; records: number; text: string; isBytes: boolean }[] }[] = [];
  const plugin = await createTestPlugin({
    name: 'bytes',
    version: '1.0.0',
    hooks: { logBytes: (batch) => void seen.push({ seq: batch.seq, bytes: batch.bytes.map((b) => ({ log: b.log, records: b.records, text: Buffer.from(b.bytes).toString('utf8'), isBytes: b.bytes instanceof Uint8Array })) }) },
  });
  t.after(() => plugin.close());
  assert.deepEqual([...plugin.hooks], ['logBytes']);
  await plugin.logBytes({ seq: 4, logs: [{ path: '/tmp/a.log' }, { path: '/tmp/b.log', format: '%request_path%' }], lines: [{ log: 1, lines: ['/x', '/ü'] }, { lines: ['{}'] }] });
  assert.deepEqual(seen, [{ seq: 4, bytes: [{ log: 1, records: 2, text: '/x\n/ü\n', isBytes: true }, { log: 0, records: 1, text: '{}\n', isBytes: true }] }]);
  await assert.rejects(plugin.logLines({ logs: [{ path: '/tmp/a.log' }], lines: [{ lines: ['/x'] }] }), { code: PLUGIN_SDK_ERROR_CODES.hookNotProvided, message: /does not provide the logLines hook; it provides: logBytes/ });
});

test('an invalid rateLimit result is reported to the author with the path of the problem', async (t) => {
  const plugin = await createTestPlugin({
    name: 'bad',
    version: '1.0.0',
    hooks: {
      rateLimit: () => ({ overallCode: 'OK', statuses: [{ code: 'MAYBE', limitRemaining: -1, durationUntilResetMs: 5, limit: { requestsPerUnit: 1, unit: 'week' } }] }) as never,
    },
  });
  t.after(() => plugin.close());
  await assert.rejects(plugin.rateLimit({ descriptors: [{ a: 'b' }] }), (error: Error & { code?: string }) => {
    assert.equal(error.code, PLUGIN_SDK_ERROR_CODES.hookResultInvalid);
    assert.match(error.message, /statuses\[0\]\.code: expected "OK" or "OVER_LIMIT", found "MAYBE"/);
    assert.match(error.message, /statuses\[0\]\.limitRemaining: expected an integer from 0/);
    assert.match(error.message, /statuses\[0\]\.limit\.unit: expected one of second, minute, hour, day, found "week"/);
    return true;
  });
});

test('a plugin without the hook says which hooks it has', async (t) => {
  const plugin = await createTestPlugin({ name: 'only-check', version: '1.0.0', hooks: { checkRequest: () => ({ action: 'allow' }) } });
  t.after(() => plugin.close());
  await assert.rejects(plugin.rateLimit(), { code: PLUGIN_SDK_ERROR_CODES.hookNotProvided, message: /provides: checkRequest/ });
});

test('metrics reports reach the hook, and the host API records admin actions in tests', async (t) => {
  const reports: number[] = [];
  const plugin = await createTestPlugin({
    name: 'mgmt',
    version: '1.0.0',
    hooks: {
      metrics(report) {
        reports.push(report.seq);
      },
      async call(_request, { host }) {
        const changed = await host.setLogLevel('debug');
        return { status: 200, header: {}, body: Buffer.from(JSON.stringify(changed)) };
      },
    },
  });
  t.after(() => plugin.close());
  await plugin.metrics({ source: 'worker', workerId: 1, pid: 1, generation: 1, seq: 7, at: 0, metrics: [] });
  assert.deepEqual(reports, [7]);
  const result = await plugin.call();
  assert.deepEqual(JSON.parse(Buffer.from(result.body).toString()), { previous: 'info', level: 'debug' });
  assert.deepEqual(plugin.hostCalls, [{ method: 'setLogLevel', params: { level: 'debug' } }]);
});
