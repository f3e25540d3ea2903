// The worker's plugin client against a plugin server speaking the real protocol over a real Unix
// socket (a minimal one, so that the test sees each plugin/batch message as it arrives).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import {
  PluginBatch,
  PluginInitialize,
  PluginInitialized,
  PluginLogRecords,
  PluginLogRecordsAck,
  WIRE_FEATURES,
  compactRateLimitResult,
  createIpcConnection,
  expandCall,
  listenUnix,
} from '@mosn/ipc-protocol';
import type { AccessLogRow, BatchOutcome, BatchParams, BatchResult, CheckRequestParams, LogRecordsParams, PluginHookName, PluginInitializeResult } from '@mosn/ipc-protocol';
import { AccessLogBatcher } from '../src/access-log/access-log-batcher.js';
import { AccessLogRecorder, newNotes } from '../src/access-log/access-log-recorder.js';
import type { ExchangeView } from '../src/access-log/access-log-recorder.js';
import pino from 'pino';
import { PluginClient } from '../src/plugin/plugin-client.js';
import { PluginRequest } from '../src/plugin/plugin-request.js';

const logger = pino({ level: 'silent' });
const SECRET = 'test-secret';

interface FakePlugin {
  readonly socketPath: string;
  readonly batches: number[];
  /** Every call as it arrived on the wire (map form or tuple). */
  readonly rawCalls: unknown[];
  /** Every plugin/logRecords batch as it arrived. */
  readonly logBatches: LogRecordsParams[];
  close(): Promise<void>;
}

/** Answers each batch after `delayMs`: allow, except path /fail which is an error outcome. */
async function startPlugin(options: { answer?: boolean; ackLogs?: boolean; wire?: string[]; hooks?: string[]; rateLimitAnswer?: 'map' | 'malformed' } = {}): Promise<FakePlugin> {
  const dir = mkdtempSync(join(tmpdir(), 'mosn-pc-'));
  const socketPath = join(dir, 'p.sock');
  const batches: number[] = [];
  const rawCalls: unknown[] = [];
  const logBatches: LogRecordsParams[] = [];
  const connections: { dispose(): void }[] = [];
  const server = await listenUnix(socketPath, {
    logger,
    onConnection(socket) {
      const connection = createIpcConnection(socket, { logger });
      connections.push(connection);
      connection.onRequest(
        PluginInitialize,
        (): PluginInitializeResult => ({ pluginVersion: '1', name: 'fake', hooks: (options.hooks ?? ['checkRequest', 'rateLimit', 'logRecords']) as PluginHookName[], ...(options.wire ? { wire: options.wire } : {}) }),
      );
      connection.onNotification(PluginLogRecords, (params) => {
        logBatches.push(params);
        if (options.ackLogs !== false) void connection.sendNotification(PluginLogRecordsAck, { seq: params.seq, written: true });
      });
      connection.onNotification(PluginInitialized, () => {});
      connection.onRequest(PluginBatch, (params: BatchParams): BatchResult | Promise<BatchResult> => {
        batches.push(params.calls.length);
        rawCalls.push(...params.calls);
        if (options.answer === false) return new Promise(() => {});
        return {
          outcomes: params.calls.map((c): BatchOutcome => {
            const call = expandCall(c);
            if (call.hook === 'rateLimit') {
              const result = { overallCode: 'OK' as const, statuses: [{ code: 'OK' as const, limit: { requestsPerUnit: 5, unit: 'second' as const }, limitRemaining: 4, durationUntilResetMs: 700 }] };
              if (options.rateLimitAnswer === 'map') return { ok: result };
              if (options.rateLimitAnswer === 'malformed') return { ok: ['OK', ['OK', 1]] };
              return { ok: Array.isArray(c) ? compactRateLimitResult(result) : result };
            }
            return (call.params as CheckRequestParams).path === '/fail' ? { error: { code: -31000, message: 'boom' } } : { ok: { action: 'allow' } };
          }),
        };
      });
      connection.listen();
    },
  });
  return {
    socketPath,
    batches,
    rawCalls,
    logBatches,
    close: async () => {
      for (const c of connections) c.dispose();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fake plugin, and a client connected to it; both closed when the test ends. */
async function connected(
  t: TestContext,
  options: Parameters<typeof startPlugin>[0] = {},
  { name = 'fake', timeoutMs = 2000 }: { name?: string; timeoutMs?: number } = {},
): Promise<{ plugin: FakePlugin; client: PluginClient }> {
  const plugin = await startPlugin(options);
  t.after(() => plugin.close());
  const client = new PluginClient(name, 1, logger);
  t.after(() => client.close());
  client.update({ name, socketPath: plugin.socketPath, secret: SECRET, timeoutMs });
  return { plugin, client };
}

const checkParams = (path: string): CheckRequestParams => ({ method: 'GET', path, authority: 'a', headers: {}, remoteAddress: '127.0.0.1' });
const check = (path: string): PluginRequest => PluginRequest.fromParams(checkParams(path));
/** A request as the proxy builds it: `accept` sent twice, a virtual host but no cluster (a redirect route). */
const fromFields = (path: string): PluginRequest =>
  PluginRequest.fromFields('GET', path, 'a', { count: 3, lnames: ['accept', 'authorization', 'accept'], values: ['*/*', 'Bearer x', 'text/plain'] }, '127.0.0.1', 'vh', undefined);

test('checks made in one event-loop turn reach the plugin as one batch, each with its own outcome', async (t) => {
  const { plugin, client } = await connected(t);
  const first = await Promise.allSettled(['/a', '/b', '/fail', '/c'].map((p) => client.checkRequest(check(p))));
  assert.deepEqual(first.map((r) => r.status), ['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
  const failed = first[2] as PromiseRejectedResult;
  assert.equal(failed.reason.code, 'MOSN_ERR_PLUGIN_CALL_FAILED');
  assert.match(failed.reason.message, /plugin "fake" failed checkRequest: boom/);
  // Connected now: another turn's 300 checks go out as batches of at most 256.
  await Promise.all(Array.from({ length: 300 }, (_, i) => client.checkRequest(check(`/${i}`))));
  assert.deepEqual(plugin.batches, [4, 256, 44]);
  assert.deepEqual(client.counters, { calls: 304, errors: 1, timeouts: 0 }, 'counted for metrics');
});

test('a batch that is not answered in time fails every call in it with MOSN_ERR_PLUGIN_TIMEOUT', async (t) => {
  const { client } = await connected(t, { answer: false }, { timeoutMs: 100 });
  const results = await Promise.allSettled([client.checkRequest(check('/a')), client.checkRequest(check('/b'))]);
  for (const r of results) assert.equal(r.status === 'rejected' && r.reason.code, 'MOSN_ERR_PLUGIN_TIMEOUT');
  assert.deepEqual(client.counters, { calls: 2, errors: 0, timeouts: 2 });
});

test('without an endpoint a call fails at once with MOSN_ERR_PLUGIN_UNAVAILABLE', async () => {
  const client = new PluginClient('gone', 1, logger);
  await assert.rejects(client.checkRequest(check('/')), { code: 'MOSN_ERR_PLUGIN_UNAVAILABLE', message: /plugin "gone" is unavailable: it is not running/ });
  assert.deepEqual(client.counters, { calls: 1, errors: 1, timeouts: 0 });
});

test('to a plugin that reads tuples, checks and rate limits go as tuples and come back as the same results', async (t) => {
  const { plugin, client } = await connected(t, { wire: [WIRE_FEATURES.callTuples] });
  assert.deepEqual(await client.checkRequest(PluginRequest.fromParams({ ...checkParams('/a'), headers: { authorization: 'Bearer x' }, route: { virtualHost: 'vh', cluster: 'c' } })), { action: 'allow' });
  // What the proxy sends: the request built from the parsed fields, already in pairs.
  assert.deepEqual(await client.checkRequest(fromFields('/b')), { action: 'allow' });
  const limited = await client.rateLimit({ domain: 'd', hitsAddend: 1, descriptors: [{ entries: [{ key: 'remote_address', value: '10.0.0.1' }] }] });
  assert.deepEqual(limited, { overallCode: 'OK', statuses: [{ code: 'OK', limit: { requestsPerUnit: 5, unit: 'second' }, limitRemaining: 4, durationUntilResetMs: 700 }] });
  assert.deepEqual(plugin.rawCalls, [
    ['checkRequest', 'GET', '/a', 'a', ['authorization', 'Bearer x'], '127.0.0.1', 'vh', 'c'],
    ['checkRequest', 'GET', '/b', 'a', ['accept', '*/*, text/plain', 'authorization', 'Bearer x'], '127.0.0.1', 'vh', null],
    ['rateLimit', 'd', 1, [['remote_address', '10.0.0.1']]],
  ]);
});

test('to a plugin that does not list the compact forms, calls and log records go as maps', async (t) => {
  const { plugin, client } = await connected(t);
  await client.checkRequest(check('/a'));
  await client.checkRequest(fromFields('/b'));
  assert.deepEqual(plugin.rawCalls, [
    { hook: 'checkRequest', params: checkParams('/a') },
    { hook: 'checkRequest', params: { method: 'GET', path: '/b', authority: 'a', headers: { accept: '*/*, text/plain', authorization: 'Bearer x' }, remoteAddress: '127.0.0.1', route: { virtualHost: 'vh' } } },
  ]);
  const batcher = new AccessLogBatcher(client, { batchSize: 2, flushIntervalMs: 20, queueSize: 100, workerId: 1 }, logger);
  t.after(() => batcher.close());
  const log = batcher.target('/tmp/a.log', '%request_path%');
  batcher.push(row(log, '/one'));
  batcher.push(row(log, '/two'));
  await waitFor(() => batcher.counters.written === 2);
  assert.equal(plugin.logBatches[0]?.rows, undefined);
  assert.deepEqual(plugin.logBatches[0]?.records.map((r) => r.path), ['/one', '/two']);
  // No header maps named, so no such keys at all (msgpack has no "undefined" to send).
  assert.equal(Object.hasOwn(plugin.logBatches[0]?.records[0] ?? {}, 'requestHeaders'), false);
  assert.equal(Object.hasOwn(plugin.logBatches[0]?.records[0] ?? {}, 'responseHeaders'), false);
});

/** A plugin that reads lines (the worker formats them). */
const LINES = { wire: [WIRE_FEATURES.logRows], hooks: ['checkRequest', 'logLines'] };

/** A fake plugin, a client connected to it before the first flush, and a batcher on that client (closed when the test ends). */
async function connectedBatcher(
  t: TestContext,
  options: Parameters<typeof startPlugin>[0],
  { batchSize, flushIntervalMs, queueSize, maxBatchBytes }: { batchSize: number; flushIntervalMs: number; queueSize: number; maxBatchBytes?: number },
): Promise<{ plugin: FakePlugin; client: PluginClient; batcher: AccessLogBatcher }> {
  const { plugin, client } = await connected(t, options);
  await client.checkRequest(check('/connect'));
  const batcher = new AccessLogBatcher(client, { batchSize, flushIntervalMs, queueSize, workerId: 1, ...(maxBatchBytes === undefined ? {} : { maxBatchBytes }) }, logger);
  t.after(() => batcher.close());
  return { plugin, client, batcher };
}

test('access log rows go out in full batches; a partial batch waits for the flush interval, not for an acknowledgement', async (t) => {
  const { plugin, batcher } = await connectedBatcher(t, { wire: [WIRE_FEATURES.logRows] }, { batchSize: 10, flushIntervalMs: 1500, queueSize: 1000 });
  const log = batcher.target('/tmp/a.log', undefined);
  const started = performance.now();
  for (let i = 0; i < 25; i++) batcher.push(row(log, `/${i}`));
  await waitFor(() => batcher.counters.written === 20);
  // Both full batches acknowledged, and the 5 left are still queued until the timer fires.
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(plugin.logBatches.map((b) => b.rows?.length), [10, 10]);
  await waitFor(() => batcher.counters.written === 25);
  assert.ok(performance.now() - started >= 1400, 'the partial batch left with the timer');
  assert.deepEqual(plugin.logBatches.map((b) => b.rows?.length), [10, 10, 5]);
  assert.deepEqual(plugin.logBatches.flatMap((b) => b.rows?.map((r) => r[11]) ?? []), Array.from({ length: 25 }, (_, i) => `/${i}`));
  assert.deepEqual(plugin.logBatches.map((b) => b.records.length), [0, 0, 0]);
  assert.deepEqual(batcher.counters, { records: 25, sent: 25, written: 25, dropped: 0 });
});

test('a full batch restarts the flush interval: records after it wait their own interval, not the rest of the full batch\'s', async (t) => {
  const { plugin, batcher } = await connectedBatcher(t, { wire: [WIRE_FEATURES.logRows] }, { batchSize: 10, flushIntervalMs: 400, queueSize: 1000 });
  const log = batcher.target('/tmp/a.log', undefined);
  const started = performance.now();
  for (let i = 0; i < 10; i++) batcher.push(row(log, `/${i}`)); // the first armed the timer; the tenth fills the batch
  await waitFor(() => batcher.counters.written === 10);
  await new Promise((resolve) => setTimeout(resolve, 250));
  for (let i = 10; i < 13; i++) batcher.push(row(log, `/${i}`));
  // 450 ms in: the first push's timer (400 ms) would have sent these 3 as a partial batch by now.
  await new Promise((resolve) => setTimeout(resolve, 450 - (performance.now() - started)));
  assert.deepEqual(plugin.logBatches.map((b) => b.rows?.length), [10], 'only the full batch has left');
  await waitFor(() => batcher.counters.written === 13);
  assert.ok(performance.now() - started >= 600, 'the 3 left 400 ms after the first of them');
  assert.deepEqual(plugin.logBatches.map((b) => b.rows?.length), [10, 3]);
});

test('to a plugin with a logLines hook, each log\'s records go formatted by the worker, one text per log, in order', async (t) => {
  const { plugin, batcher } = await connectedBatcher(t, LINES, { batchSize: 5, flushIntervalMs: 20, queueSize: 100 });
  const text = batcher.target('/tmp/a.log', '%request_method% %request_path% %response_code%');
  const json = batcher.target('/tmp/a.json', undefined);
  assert.equal(batcher.target('/tmp/a.log', '%request_method% %request_path% %response_code%'), text, 'the same log, the same target');
  for (const [log, path] of [[json, '/1'], [text, '/2'], [json, '/3'], [text, '/4'], [text, '/5']] as const) batcher.push(row(log, path));
  await waitFor(() => batcher.counters.written === 5);
  const batch = plugin.logBatches[0];
  assert.equal(batch?.rows, undefined);
  assert.deepEqual(batch?.records, []);
  assert.deepEqual(batch?.logs, [{ path: '/tmp/a.log', format: '%request_method% %request_path% %response_code%' }, { path: '/tmp/a.json' }]);
  assert.deepEqual(batch?.lines?.map((l) => [l.log, l.records]), [[json, 2], [text, 3]], 'in the order of each log\'s first record');
  assert.equal(batch?.lines?.[1]?.text, 'GET /2 200\nGET /4 200\nGET /5 200\n');
  assert.deepEqual(batch?.lines?.[0]?.text.split('\n').map((l) => (l === '' ? '' : (JSON.parse(l) as { request_path: string }).request_path)), ['/1', '/3', '']);
  assert.deepEqual(batcher.counters, { records: 5, sent: 5, written: 5, dropped: 0 });
});

test('to a plugin with a logBytes hook, the lines go as bytes; batches sent one after another each keep their own lines', async (t) => {
  const { plugin, batcher } = await connectedBatcher(t, { wire: [WIRE_FEATURES.logRows], hooks: ['checkRequest', 'logLines', 'logBytes'] }, { batchSize: 2, flushIntervalMs: 20, queueSize: 100 });
  const text = batcher.target('/tmp/a.log', '%request_method% %request_path%');
  const json = batcher.target('/tmp/a.json', undefined);
  // Pushed in one turn: three full batches formatted and sent in one go, through the same buffers.
  for (const [log, path] of [[text, '/1'], [json, '/2'], [text, '/3'], [text, '/4'], [text, '/5'], [json, '/6']] as const) batcher.push(row(log, path));
  await waitFor(() => batcher.counters.written === 6);
  const batches = plugin.logBatches;
  assert.deepEqual(batches.map((b) => [b.lines, b.rows, b.records]), Array.from({ length: 3 }, () => [undefined, undefined, []]), 'bytes only');
  const decoded = batches.map((b) => b.bytes?.map((e) => [e.log, e.records, e.bytes instanceof Uint8Array, Buffer.from(e.bytes).toString('utf8')]));
  const jsonPath = (bytes: unknown): string => (JSON.parse(String(bytes)) as { request_path: string }).request_path;
  assert.deepEqual(decoded.map((d) => d?.map(([log, records, isBytes]) => [log, records, isBytes])), [
    [[text, 1, true], [json, 1, true]],
    [[text, 2, true]],
    [[text, 1, true], [json, 1, true]],
  ]);
  assert.equal(decoded[0]?.[0]?.[3], 'GET /1\n');
  assert.equal(jsonPath(decoded[0]?.[1]?.[3]), '/2');
  assert.equal(decoded[1]?.[0]?.[3], 'GET /3\nGET /4\n');
  assert.equal(decoded[2]?.[0]?.[3], 'GET /5\n');
  assert.equal(jsonPath(decoded[2]?.[1]?.[3]), '/6');
  assert.deepEqual(batcher.counters, { records: 6, sent: 6, written: 6, dropped: 0 });
});

test('a batch too large to send is dropped and counted at once, and the batches after it still go', async (t) => {
  // Queue and batch of the same size: a batch left waiting for an acknowledgement that cannot come would hold back every later one.
  const { plugin, batcher } = await connectedBatcher(t, { wire: [WIRE_FEATURES.logRows], hooks: ['checkRequest', 'logBytes'] }, { batchSize: 18, flushIntervalMs: 20, queueSize: 18 });
  const log = batcher.target('/tmp/a.log', '%request_path%');
  const huge = '/' + 'a'.repeat(1024 * 1024); // 18 lines of 1 MiB: past the 16 MiB a frame may hold
  for (let i = 0; i < 18; i++) batcher.push(row(log, huge));
  await waitFor(() => batcher.counters.dropped === 18);
  assert.deepEqual(batcher.counters, { records: 18, sent: 0, written: 0, dropped: 18 });
  for (let i = 0; i < 3; i++) batcher.push(row(log, `/${i}`));
  await waitFor(() => batcher.counters.written === 3);
  assert.deepEqual(plugin.logBatches.map((b) => b.bytes?.map((e) => Buffer.from(e.bytes).toString('utf8'))), [['/0\n/1\n/2\n']]);
  assert.deepEqual(batcher.counters, { records: 21, sent: 3, written: 3, dropped: 18 });
});

test('two logs sharing a path get one text, their lines in the order of their requests; a row that cannot be formatted is dropped and counted', async (t) => {
  const { plugin, batcher } = await connectedBatcher(t, LINES, { batchSize: 5, flushIntervalMs: 20, queueSize: 100 });
  const paths = batcher.target('/tmp/shared.log', '%request_path%');
  const methods = batcher.target('/tmp/shared.log', 'M %request_method%');
  const json = batcher.target('/tmp/other.json', undefined);
  batcher.push(row(paths, '/1'));
  batcher.push(row(methods, '/2'));
  batcher.push(row(paths, '/3'));
  const broken = [...row(json, '/4')] as unknown as [number, number];
  broken[1] = 9e15; // past the last date JavaScript can print: the JSON line's start_time throws
  batcher.push(broken as unknown as AccessLogRow);
  batcher.push(row(json, '/5'));
  await waitFor(() => batcher.counters.written === 4);
  const batch = plugin.logBatches[0];
  assert.deepEqual(batch?.lines?.map((l) => [l.log, l.records]), [[paths, 3], [json, 1]]);
  assert.equal(batch?.lines?.[0]?.text, '/1\nM GET\n/3\n');
  assert.equal((JSON.parse(batch?.lines?.[1]?.text ?? '') as { request_path: string }).request_path, '/5');
  assert.deepEqual(batcher.counters, { records: 5, sent: 4, written: 4, dropped: 1 });
});

test('a row whose line fails half-way leaves nothing of it in the text; the lines around it are whole', async (t) => {
  const { plugin, batcher } = await connectedBatcher(t, LINES, { batchSize: 3, flushIntervalMs: 20, queueSize: 100 });
  const log = batcher.target('/tmp/a.log', '%request_path% %protocol% %response_code%');
  batcher.push(row(log, '/1'));
  const broken = [...row(log, '/2')] as unknown[];
  broken[7] = null; // no protocol string: the path is written, then the protocol throws
  batcher.push(broken as unknown as AccessLogRow);
  batcher.push(row(log, '/3'));
  await waitFor(() => batcher.counters.written === 2);
  assert.deepEqual(plugin.logBatches[0]?.lines?.map((l) => [l.log, l.records, l.text]), [[log, 2, '/1 HTTP/1.1 200\n/3 HTTP/1.1 200\n']]);
  assert.deepEqual(batcher.counters, { records: 3, sent: 2, written: 2, dropped: 1 });
});

test('rows pushed before the plugin is first connected go as lines once it is, in the order they were pushed', async (t) => {
  const plugin = await startPlugin({ wire: [WIRE_FEATURES.logRows], hooks: ['checkRequest', 'logLines'] });
  t.after(() => plugin.close());
  const client = new PluginClient('fake', 1, logger);
  t.after(() => client.close());
  const batcher = new AccessLogBatcher(client, { batchSize: 4, flushIntervalMs: 60_000, queueSize: 100, workerId: 1 }, logger);
  const log = batcher.target('/tmp/a.log', '%request_path%');
  // Not connected yet: the plugin's form is unknown, so these wait as rows.
  for (let i = 0; i < 3; i++) batcher.push(row(log, `/${i}`));
  client.update({ name: 'fake', socketPath: plugin.socketPath, secret: SECRET, timeoutMs: 2000 });
  await client.checkRequest(check('/connect'));
  // Rows still wait (less than a batch, and the timer is a minute away): these must not overtake them.
  for (let i = 3; i < 9; i++) batcher.push(row(log, `/${i}`));
  await waitFor(() => batcher.counters.written === 8);
  batcher.close(); // sends the last one
  await waitFor(() => batcher.counters.written === 9);
  const text = plugin.logBatches.map((b) => b.lines?.map((l) => l.text).join('') ?? '').join('');
  assert.equal(text, Array.from({ length: 9 }, (_, i) => `/${i}\n`).join(''));
  assert.ok(plugin.logBatches.every((b) => b.rows === undefined), 'every batch went as lines');
  assert.deepEqual(batcher.counters, { records: 9, sent: 9, written: 9, dropped: 0 });
});

test('records waiting for a plugin that stopped acknowledging: when the queue is full the oldest are dropped, counted', async (t) => {
  const { plugin, batcher } = await connectedBatcher(t, { ...LINES, ackLogs: false }, { batchSize: 5, flushIntervalMs: 60_000, queueSize: 10 });
  const log = batcher.target('/tmp/a.log', '%request_path%');
  // Two batches go and are never acknowledged: 10 unacknowledged records hold the rest back.
  for (let i = 0; i < 10; i++) batcher.push(row(log, `/${i}`));
  await waitFor(() => plugin.logBatches.length === 2);
  for (let i = 10; i < 25; i++) batcher.push(row(log, `/${i}`));
  await new Promise((resolve) => setImmediate(resolve));
  // /20–/24 each found the queue full: the oldest waiting, /10–/14, were dropped.
  assert.deepEqual(batcher.counters, { records: 25, sent: 10, written: 0, dropped: 5 });
  assert.equal(plugin.logBatches.length, 2);
  batcher.close();
  // Closing counts what waited (/15–/24); the 10 sent stay unacknowledged, not counted twice.
  assert.deepEqual(batcher.counters, { records: 25, sent: 10, written: 0, dropped: 15 });
});

test('a batch_size above queue_size sends batches of queue_size as they fill, rather than only on the timer', async (t) => {
  const { plugin, batcher } = await connectedBatcher(t, { wire: [WIRE_FEATURES.logRows] }, { batchSize: 1000, flushIntervalMs: 60_000, queueSize: 10 });
  const log = batcher.target('/tmp/a.log', undefined);
  for (let i = 0; i < 10; i++) batcher.push(row(log, `/${i}`));
  await waitFor(() => batcher.counters.written === 10);
  for (let i = 10; i < 20; i++) batcher.push(row(log, `/${i}`));
  await waitFor(() => batcher.counters.written === 20);
  assert.deepEqual(plugin.logBatches.map((b) => b.rows?.length), [10, 10]);
  assert.equal(batcher.counters.dropped, 0);
});

test('a batch of lines leaves when its formatted bytes reach maxBatchBytes, long before batch_size records or the timer', async (t) => {
  const { plugin, batcher } = await connectedBatcher(t, LINES, { batchSize: 10_000, flushIntervalMs: 60_000, queueSize: 100_000, maxBatchBytes: 4000 });
  const log = batcher.target('/tmp/a.log', '%request_path%');
  // 20 bytes a line: the first chunk formatted ahead (256 rows, 5120 bytes) is past the limit.
  const path = (i: number): string => `/${String(i).padStart(18, '0')}`;
  for (let i = 0; i < 600; i++) batcher.push(row(log, path(i)));
  await waitFor(() => plugin.logBatches.length === 1);
  // Nothing more was formatted ahead past the limit: the 344 rows after the chunk wait for more or for the timer.
  const lines = plugin.logBatches[0]?.lines?.[0];
  assert.equal(lines?.records, 256);
  assert.equal(lines?.text, Array.from({ length: 256 }, (_, i) => `${path(i)}\n`).join(''));
  await waitFor(() => batcher.counters.written === 256);
  assert.deepEqual({ ...batcher.counters }, { records: 600, sent: 256, written: 256, dropped: 0 });
  assert.equal(plugin.logBatches.length, 1);
});

test('rows that waited unformatted leave in batches cut at maxBatchBytes, in order, none lost', async (t) => {
  const { plugin, client } = await connected(t, LINES);
  // Not connected yet: nothing is formatted ahead, and the 600 rows wait as rows for the timer.
  const batcher = new AccessLogBatcher(client, { batchSize: 10_000, flushIntervalMs: 200, queueSize: 100_000, workerId: 1, maxBatchBytes: 4000 }, logger);
  t.after(() => batcher.close());
  const log = batcher.target('/tmp/a.log', '%request_path%');
  const path = (i: number): string => `/${String(i).padStart(18, '0')}`;
  for (let i = 0; i < 600; i++) batcher.push(row(log, path(i)));
  await waitFor(() => batcher.counters.written === 600);
  assert.deepEqual(plugin.logBatches.map((b) => b.lines?.[0]?.records), [256, 256, 88]);
  const text = plugin.logBatches.map((b) => b.lines?.[0]?.text ?? '').join('');
  assert.equal(text, Array.from({ length: 600 }, (_, i) => `${path(i)}\n`).join(''));
  assert.equal(batcher.counters.dropped, 0);
});

test('rows sent to a plugin that reads rows go at most 4000 a batch, whatever batch_size says', async (t) => {
  const { plugin, batcher } = await connectedBatcher(t, { wire: [WIRE_FEATURES.logRows] }, { batchSize: 10_000, flushIntervalMs: 50, queueSize: 100_000 });
  const log = batcher.target('/tmp/a.log', undefined);
  for (let i = 0; i < 9000; i++) batcher.push(row(log, `/${i}`));
  await waitFor(() => batcher.counters.written === 9000);
  assert.deepEqual(plugin.logBatches.map((b) => b.rows?.length), [4000, 4000, 1000]);
  assert.deepEqual(plugin.logBatches.flatMap((b) => b.rows?.map((r) => r[11]) ?? []), Array.from({ length: 9000 }, (_, i) => `/${i}`));
});

test('a plugin that lists tuples may still answer a rate limit with a map; a malformed tuple fails that call, counted', async (t) => {
  const limit = { domain: 'd', hitsAddend: 1, descriptors: [{ entries: [{ key: 'k', value: 'v' }] }] };
  const { client } = await connected(t, { wire: [WIRE_FEATURES.callTuples], rateLimitAnswer: 'map' });
  assert.equal((await client.rateLimit(limit)).statuses[0]?.limitRemaining, 4);

  const { client: other } = await connected(t, { wire: [WIRE_FEATURES.callTuples], rateLimitAnswer: 'malformed' }, { name: 'bad' });
  await assert.rejects(other.rateLimit(limit), { code: 'MOSN_ERR_PLUGIN_CALL_FAILED', message: /malformed/ });
  assert.deepEqual(other.counters, { calls: 1, errors: 1, timeouts: 0 });
});

test('while a batch fills its rows are formatted a few hundred at a time: a row that fails is counted before the batch leaves, and the batch leaves whole, in order', async (t) => {
  const { plugin, batcher } = await connectedBatcher(t, LINES, { batchSize: 1000, flushIntervalMs: 60_000, queueSize: 10_000 });
  const paths = batcher.target('/tmp/shared.log', '%request_path%');
  const methods = batcher.target('/tmp/shared.log', 'M %request_method%');
  const json = batcher.target('/tmp/other.json', undefined);
  const broken = [...row(json, '/broken')] as unknown as [number, number];
  broken[1] = 9e15; // a start time JavaScript cannot print: the JSON line's writer throws
  const expected: string[] = [];
  for (let i = 0; i < 600; i++) {
    if (i === 10) batcher.push(broken as unknown as AccessLogRow);
    const log = i % 3 === 0 ? methods : paths;
    batcher.push(row(log, `/${i}`));
    expected.push(log === methods ? 'M GET' : `/${i}`);
  }
  // 601 rows, under a batch: the first 512 are formatted already (two chunks), the broken one with them.
  assert.deepEqual({ ...batcher.counters }, { records: 601, sent: 0, written: 0, dropped: 1 });
  for (let i = 600; i < 1001; i++) {
    batcher.push(row(paths, `/${i}`));
    expected.push(`/${i}`);
  }
  await waitFor(() => batcher.counters.written === 1000);
  const batch = plugin.logBatches[0];
  assert.deepEqual(batch?.lines?.map((l) => [l.log, l.records]), [[paths, 1000]]);
  assert.equal(batch?.lines?.[0]?.text, expected.slice(0, 1000).map((line) => `${line}\n`).join(''));
  assert.deepEqual(batcher.counters, { records: 1002, sent: 1000, written: 1000, dropped: 1 });
});

test('when the queue fills while lines wait formatted, they are the oldest and the first dropped; the rows after them still go', async (t) => {
  const { plugin, batcher } = await connectedBatcher(t, { ...LINES, ackLogs: false }, { batchSize: 600, flushIntervalMs: 50, queueSize: 1000 });
  const log = batcher.target('/tmp/a.log', '%request_path%');
  for (let i = 0; i < 600; i++) batcher.push(row(log, `/${i}`));
  await waitFor(() => plugin.logBatches.length === 1);
  // In one turn, before the next batch can leave: /600–/1111 are formatted ahead (two chunks),
  // and when /1600 finds 1000 records waiting, those lines, the oldest, are dropped at once.
  for (let i = 600; i <= 1600; i++) batcher.push(row(log, `/${i}`));
  assert.deepEqual({ ...batcher.counters }, { records: 1601, sent: 600, written: 0, dropped: 512 });
  // The rest, less than a batch, leaves on the timer (the first batch, never acknowledged, leaves room for it).
  await waitFor(() => plugin.logBatches.length === 2);
  const lines = plugin.logBatches[1]?.lines?.[0];
  assert.equal(lines?.records, 489);
  assert.equal(lines?.text.split('\n')[0], '/1112', 'the second batch starts after the dropped lines');
});

test('lines formatted for a plugin that was then replaced by one that takes records are dropped and counted; the rows after them go as records', async (t) => {
  const { client, batcher } = await connectedBatcher(t, LINES, { batchSize: 1000, flushIntervalMs: 50, queueSize: 10_000 });
  const log = batcher.target('/tmp/a.log', '%request_path%');
  for (let i = 0; i < 300; i++) batcher.push(row(log, `/${i}`));
  // /0–/255 are formatted; then the plugin is replaced by one with only a logRecords hook.
  const records = await startPlugin({ wire: [WIRE_FEATURES.logRows] });
  t.after(() => records.close());
  client.update({ name: 'fake', socketPath: records.socketPath, secret: SECRET, timeoutMs: 2000 });
  await client.checkRequest(check('/reconnect'));
  await waitFor(() => records.logBatches.length === 1);
  assert.deepEqual(records.logBatches[0]?.rows?.map((r) => r[11]), Array.from({ length: 44 }, (_, i) => `/${256 + i}`));
  assert.equal(batcher.counters.dropped, 256);
});

test('recorded exchanges become lines of every log of their listener, in order, 256 at a time and at the flush interval', async (t) => {
  const { plugin, batcher } = await connectedBatcher(t, LINES, { batchSize: 1000, flushIntervalMs: 50, queueSize: 10_000 });
  const logs = [
    { log_path: '/tmp/a.log', log_format: '%request_path% %request_id% %REQ.x-a% %duration%', request_headers: ['x-a'], response_headers: [] },
    { log_path: '/tmp/a.json', log_format: undefined, request_headers: ['x-b'], response_headers: [] },
  ];
  let made = 0;
  const recorder = new AccessLogRecorder(logs, batcher, { next: () => `made-${++made}` });
  const before = Date.now();
  const t0 = performance.now();
  // 300: one chunk of 256 made into rows as it fills, the 44 after it at the flush interval.
  for (let i = 0; i < 300; i++) recorder.record(exchange(i, t0, recorder), t0 + 2.5);
  assert.equal(batcher.counters.records, 600, 'two logs, two records an exchange');
  await waitFor(() => batcher.counters.written === 600);
  const text = plugin.logBatches.flatMap((b) => b.lines?.filter((l) => b.logs[l.log]?.path === '/tmp/a.log').map((l) => l.text) ?? []).join('');
  const json = plugin.logBatches.flatMap((b) => b.lines?.filter((l) => b.logs[l.log]?.path === '/tmp/a.json').map((l) => l.text) ?? []).join('');
  const lines = text.split('\n').slice(0, -1);
  assert.equal(lines.length, 300);
  // Even exchanges came with their client's id; odd ones had none, and ids are made in order.
  assert.equal(lines[0], '/0 client-0 a0 2.5');
  assert.equal(lines[1], '/1 made-1 a1 2.5');
  assert.equal(lines[299], '/299 made-150 a299 2.5');
  assert.deepEqual(lines.map((l) => l.split(' ')[0]), Array.from({ length: 300 }, (_, i) => `/${i}`));
  const records = json.split('\n').slice(0, -1).map((l) => JSON.parse(l) as { request_path: string; request_id: string; start_time: string; request_headers?: Record<string, string> });
  assert.equal(records.length, 300);
  assert.deepEqual(records[1]?.request_headers, { 'x-b': 'b1' }, 'each log has only the headers it names');
  assert.equal(records[1]?.request_id, 'made-1', 'one id for the exchange in every log');
  // The start time comes from the exchange's performance.now() start: within this test's time.
  const started = Date.parse(records[0]?.start_time ?? '');
  assert.ok(started >= before - 1 && started <= Date.now(), `start time ${records[0]?.start_time} is between ${before} and now`);
});

test('request ids keep the order of their requests, whether made for the upstream or for a local reply', async (t) => {
  const { plugin, batcher } = await connectedBatcher(t, LINES, { batchSize: 1000, flushIntervalMs: 20, queueSize: 10_000 });
  let made = 0;
  const ids = { next: () => `id-${++made}` };
  const recorder = new AccessLogRecorder([{ log_path: '/tmp/a.log', log_format: '%request_path% %request_id%', request_headers: [], response_headers: [] }], batcher, ids);
  const t0 = performance.now();
  for (let i = 1; i <= 4; i++) {
    const x = exchange(2 * i - 1, t0, recorder); // odd: no client id
    // Every other one went upstream: its id was made with the upstream head (proxy-stream.ts).
    if (i % 2 === 0) {
      x.notes.requestId = ids.next();
      x.notes.requestIdMade = true;
    }
    recorder.record(x, t0 + 1);
  }
  await waitFor(() => batcher.counters.written === 4);
  assert.equal(plugin.logBatches.map((b) => b.lines?.map((l) => l.text).join('')).join(''), '/1 id-1\n/3 id-2\n/5 id-3\n/7 id-4\n');
});

/** An exchange that started at `t0` (performance.now()) with no body; even ones carry a client's request id. */
function exchange(i: number, t0: number, recorder: AccessLogRecorder): ExchangeView {
  const headers = new Map([['x-a', `a${i}`], ['x-b', `b${i}`]]);
  return {
    // The request headers are picked as HttpConnection picks them when the request starts.
    notes: { ...newNotes(), t0, requestDoneAt: t0, requestPairs: recorder.requestPairs((lname) => headers.get(lname)) },
    method: 'GET',
    path: `/${i}`,
    minor: 1,
    requestId: i % 2 === 0 ? `client-${i}` : '',
    status: 200,
    bytesRead: 10,
    bytesWritten: 20,
    downstreamLocal: '127.0.0.1:80',
    downstreamRemote: '127.0.0.1:9',
    responseHeader: () => undefined,
  };
}

function row(log: number, path: string): AccessLogRow {
  return [log, Date.now(), 0, 0.5, 1, 10, 20, 'HTTP/1.1', 200, '', 'GET', path, 'id', '127.0.0.1:9', '', '127.0.0.1:8', '127.0.0.1:7', null, null];
}

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
