import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PLUGIN_RPC_ERROR_CODES, ResponseError, compactCall } from '@mosn/ipc-protocol';
import { PLUGIN_SDK_ERROR_CODES } from '../src/index.js';
import { launchTestPlugin, waitFor } from '../src/testing.js';
import { FIXTURE, isRunning } from './helpers/plugin-process.js';

test('launchTestPlugin runs the real executable, calls its hooks over the socket and closes it with exit code 0', async (t) => {
  const plugin = await launchTestPlugin(FIXTURE, { args: ['--plugin'], name: 'fx', config: { header: 'x-team' } });
  t.after(() => plugin.close());
  assert.deepEqual(plugin.initializeResult, { pluginVersion: '0.0.1-test', name: 'fixture', hooks: ['checkRequest', 'call'], wire: ['log-rows/1', 'call-tuples/1'] });
  assert.match(plugin.socketPath, /fx\.sock$/);
  assert.deepEqual(await plugin.checkRequest({ headers: { 'X-Team': 'a' } }), { action: 'allow', headersToAdd: { 'x-checks': '1' } });
  assert.equal(Buffer.from((await plugin.call({ body: 'abc' })).body).toString(), 'ABC');
  assert.ok((await plugin.heartbeat()).uptimeMs > 0);
  assert.equal(await plugin.close(), 0);
  assert.equal(await isRunning(plugin.pid), false);
  assert.ok(plugin.logs.some((r) => r['msg'] === 'fixture shutdown ran' && r['name'] === 'fx'));
});

test('launchTestPlugin rejects with the invalid-config RPC error the plugin answered', async () => {
  await assert.rejects(launchTestPlugin(FIXTURE, { args: ['--plugin'], config: {} }), (error: unknown) => {
    assert.ok(error instanceof ResponseError);
    assert.equal(error.code, PLUGIN_RPC_ERROR_CODES.invalidConfig);
    assert.match(error.message, /at header/);
    return true;
  });
});

test('launchTestPlugin reports a script that prints no handshake line', async () => {
  // Without --plugin the fixture does nothing and exits: no handshake.
  await assert.rejects(launchTestPlugin(FIXTURE, { timeoutMs: 5_000 }), { code: 'MOSN_ERR_PLUGIN_START', message: /expected a handshake line from .*fixture-plugin\.js, found stdout closed/ });
});

test('plugin/batch runs several hook calls in one message and keeps each outcome apart', async (t) => {
  const plugin = await launchTestPlugin(FIXTURE, { args: ['--plugin'], config: { header: 'x-team' } });
  t.after(() => plugin.close());
  const check = (path: string, headers: Record<string, string> = {}) => ({
    hook: 'checkRequest' as const,
    params: { method: 'GET', path, authority: 'a.test', headers, remoteAddress: '127.0.0.1' },
  });
  const { outcomes } = await plugin.batch([
    check('/ok', { 'x-team': 'red' }),
    check('/throw', { 'x-team': 'red' }),
    check('/denied'),
    { hook: 'call', params: { header: {}, body: Buffer.from('hi') } },
    { hook: 'rateLimit', params: { domain: 'd', descriptors: [], hitsAddend: 1 } },
    { hook: 'nope' } as never,
  ]);
  assert.equal(outcomes.length, 6);
  assert.deepEqual(outcomes[0], { ok: { action: 'allow', headersToAdd: { 'x-checks': '1' } } });
  assert.ok('error' in outcomes[1]! && outcomes[1].error.data?.code === PLUGIN_SDK_ERROR_CODES.hookFailed, JSON.stringify(outcomes[1]));
  assert.deepEqual(outcomes[2], { ok: { action: 'deny', status: 401, body: 'missing header' } });
  assert.equal(Buffer.from((outcomes[3] as { ok: { body: Uint8Array } }).ok.body).toString(), 'HI');
  assert.ok('error' in outcomes[4]! && outcomes[4].error.data?.code === PLUGIN_SDK_ERROR_CODES.hookNotProvided, JSON.stringify(outcomes[4]));
  assert.ok('error' in outcomes[5]! && /expected a hook of checkRequest, rateLimit, call; found "nope"/.test(outcomes[5].error.message));
  // The plugin is unharmed: a plain call still works.
  assert.equal((await plugin.checkRequest({ headers: { 'x-team': 'b' } })).action, 'allow');
});

test('plugin/batch also takes request checks as tuples (the compact form workers send) and answers the same', async (t) => {
  const plugin = await launchTestPlugin(FIXTURE, { args: ['--plugin'], config: { header: 'x-team' } });
  t.after(() => plugin.close());
  const check = (path: string, headers: Record<string, string>) =>
    compactCall({ hook: 'checkRequest', params: { method: 'GET', path, authority: 'a.test', headers, remoteAddress: '127.0.0.1', route: { virtualHost: 'vh', cluster: 'c' } } });
  const { outcomes } = await plugin.batch([check('/ok', { 'x-team': 'red' }), check('/denied', {}), ['checkRequest', 'GET'] as never]);
  assert.deepEqual(outcomes[0], { ok: { action: 'allow', headersToAdd: { 'x-checks': '1' } } });
  assert.deepEqual(outcomes[1], { ok: { action: 'deny', status: 401, body: 'missing header' } });
  // A malformed tuple is that call's failure, not the batch's.
  assert.ok('error' in outcomes[2]! && outcomes[2].error.data?.code === PLUGIN_SDK_ERROR_CODES.hookFailed, JSON.stringify(outcomes[2]));
});

test('a logLines hook over a real session: each batch acknowledged, written or not, and a batch whose lines are not a list refused with its code', async (t) => {
  const plugin = await launchTestPlugin(FIXTURE, { args: ['--lines'] });
  t.after(() => plugin.close());
  assert.deepEqual(plugin.initializeResult.hooks, ['logLines']);
  const logs = [{ path: '/tmp/a.log' }, { path: '/tmp/b.log', format: '%request_path%' }];
  await plugin.logLines({ seq: 1, logs, lines: [{ log: 1, lines: ['/x', '/y'] }, { log: 0, lines: ['{"a":1}'] }] });
  await plugin.logLines({ seq: 2, logs, lines: [{ log: 0, lines: ['fail'] }] });
  await plugin.notify('plugin/logRecords', { seq: 3, workerId: 1, pid: 1, dropped: 0, logs, records: [], lines: 'not a list' });
  await waitFor('three acknowledgements', () => plugin.acks.length === 3);
  assert.deepEqual(plugin.acks, [
    { seq: 1, written: true },
    { seq: 2, written: false },
    { seq: 3, written: false },
  ]);
  // Stderr is read apart from the socket: wait for the log lines rather than assume they came first.
  const linesLogged = (): unknown[][] => plugin.logs.filter((r) => r['msg'] === 'lines').map((r) => [r['seq'], r['path'], r['records'], r['text']]);
  await waitFor('the lines of batch 1 logged', () => linesLogged().length >= 2).catch(() => undefined);
  assert.deepEqual(linesLogged(), [
    [1, '/tmp/b.log', 2, '/x\n/y\n'],
    [1, '/tmp/a.log', 1, '{"a":1}\n'],
  ]);
  const logged = (check: (r: Record<string, unknown>) => boolean): Promise<boolean> => waitFor('a log line', () => plugin.logs.some(check)).catch(() => false);
  assert.ok(
    await logged((r) => r['code'] === PLUGIN_SDK_ERROR_CODES.hookFailed && /cannot write to \/tmp\/a\.log/.test(String(r['msg']))),
    `the failing hook is logged with ${PLUGIN_SDK_ERROR_CODES.hookFailed}; logs: ${JSON.stringify(plugin.logs)}`,
  );
  assert.ok(
    await logged((r) => r['code'] === PLUGIN_SDK_ERROR_CODES.requestInvalid && /expected "lines" to be a list of \{ log, records, text \}, found string/.test(String(r['msg']))),
    `the malformed batch is logged with ${PLUGIN_SDK_ERROR_CODES.requestInvalid}; logs: ${JSON.stringify(plugin.logs)}`,
  );
});

test('a logBytes hook over a real session: the bytes arrive as bytes, each batch is acknowledged, and bytes that are not a list are refused', async (t) => {
  const plugin = await launchTestPlugin(FIXTURE, { args: ['--bytes'] });
  t.after(() => plugin.close());
  assert.deepEqual(plugin.initializeResult.hooks, ['logBytes', 'reopenLogs']);
  const logs = [{ path: '/tmp/a.log' }, { path: '/tmp/b.log', format: '%request_path%' }];
  await plugin.logBytes({ seq: 1, logs, lines: [{ log: 1, lines: ['/x', '/ü'] }, { log: 0, lines: ['{"a":1}'] }] });
  await plugin.logBytes({ seq: 2, logs, lines: [{ log: 0, lines: ['fail'] }] });
  await plugin.notify('plugin/logRecords', { seq: 3, workerId: 1, pid: 1, dropped: 0, logs, records: [], bytes: 'not a list' });
  await waitFor('three acknowledgements', () => plugin.acks.length === 3);
  assert.deepEqual(plugin.acks, [
    { seq: 1, written: true },
    { seq: 2, written: false },
    { seq: 3, written: false },
  ]);
  const bytesLogged = (): unknown[][] => plugin.logs.filter((r) => r['msg'] === 'bytes').map((r) => [r['seq'], r['path'], r['records'], r['text'], r['isBytes']]);
  await waitFor('the bytes of batch 1 logged', () => bytesLogged().length >= 2).catch(() => undefined);
  assert.deepEqual(bytesLogged(), [
    [1, '/tmp/b.log', 2, '/x\n/ü\n', true],
    [1, '/tmp/a.log', 1, '{"a":1}\n', true],
  ]);
  const logged = (check: (r: Record<string, unknown>) => boolean): Promise<boolean> => waitFor('a log line', () => plugin.logs.some(check)).catch(() => false);
  assert.ok(await logged((r) => r['code'] === PLUGIN_SDK_ERROR_CODES.requestInvalid && /expected "bytes" to be a list of \{ log, records, bytes \}, found string/.test(String(r['msg']))), JSON.stringify(plugin.logs));
});

test('on one connection, a reopen falls between the log batches sent before and after it', async (t) => {
  const plugin = await launchTestPlugin(FIXTURE, { args: ['--bytes'] });
  t.after(() => plugin.close());
  const logs = [{ path: '/tmp/a.log' }];
  // Written in one tick, so they arrive in one read: each must still be handled in the order sent.
  const sent = [
    plugin.logBytes({ seq: 1, logs, lines: [{ lines: ['/before'] }] }),
    plugin.reopenLogs(),
    plugin.logBytes({ seq: 2, logs, lines: [{ lines: ['/after'] }] }),
  ];
  await Promise.all(sent);
  const events = (): unknown[] => plugin.logs.filter((r) => r['msg'] === 'bytes' || r['msg'] === 'reopened').map((r) => (r['msg'] === 'bytes' ? r['text'] : 'reopened'));
  await waitFor('both batches and the reopen handled', () => events().length === 3);
  assert.deepEqual(events(), ['/before\n', 'reopened', '/after\n']);
});
