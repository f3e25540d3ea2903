// The worker's plugin client against a plugin server speaking the real protocol over a real Unix
// socket (a minimal one, so that the test sees each plugin/batch message as it arrives).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PluginBatch, PluginInitialize, PluginInitialized, createIpcConnection, listenUnix } from '@mosn/ipc-protocol';
import type { BatchOutcome, BatchParams, BatchResult, CheckRequestParams, PluginInitializeResult } from '@mosn/ipc-protocol';
import pino from 'pino';
import { PluginClient } from '../src/plugin/plugin-client.js';

const logger = pino({ level: 'silent' });
const SECRET = 'test-secret';

interface FakePlugin {
  readonly socketPath: string;
  readonly batches: number[];
  close(): Promise<void>;
}

/** Answers each batch after `delayMs`: allow, except path /fail which is an error outcome. */
async function startPlugin(options: { answer?: boolean } = {}): Promise<FakePlugin> {
  const dir = mkdtempSync(join(tmpdir(), 'mosn-pc-'));
  const socketPath = join(dir, 'p.sock');
  const batches: number[] = [];
  const connections: { dispose(): void }[] = [];
  const server = await listenUnix(socketPath, {
    logger,
    onConnection(socket) {
      const connection = createIpcConnection(socket, { logger });
      connections.push(connection);
      connection.onRequest(PluginInitialize, (): PluginInitializeResult => ({ pluginVersion: '1', name: 'fake', hooks: ['checkRequest'] }));
      connection.onNotification(PluginInitialized, () => {});
      connection.onRequest(PluginBatch, (params: BatchParams): BatchResult | Promise<BatchResult> => {
        batches.push(params.calls.length);
        if (options.answer === false) return new Promise(() => {});
        return {
          outcomes: params.calls.map(
            (c): BatchOutcome => ((c.params as CheckRequestParams).path === '/fail' ? { error: { code: -31000, message: 'boom' } } : { ok: { action: 'allow' } }),
          ),
        };
      });
      connection.listen();
    },
  });
  return {
    socketPath,
    batches,
    close: async () => {
      for (const c of connections) c.dispose();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const check = (path: string): CheckRequestParams => ({ method: 'GET', path, authority: 'a', headers: {}, remoteAddress: '127.0.0.1' });

test('checks made in one event-loop turn reach the plugin as one batch, each with its own outcome', async (t) => {
  const plugin = await startPlugin();
  t.after(() => plugin.close());
  const client = new PluginClient('fake', 1, logger);
  t.after(() => client.close());
  client.update({ name: 'fake', socketPath: plugin.socketPath, secret: SECRET, timeoutMs: 2000 });
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
  const plugin = await startPlugin({ answer: false });
  t.after(() => plugin.close());
  const client = new PluginClient('fake', 1, logger);
  t.after(() => client.close());
  client.update({ name: 'fake', socketPath: plugin.socketPath, secret: SECRET, timeoutMs: 100 });
  const results = await Promise.allSettled([client.checkRequest(check('/a')), client.checkRequest(check('/b'))]);
  for (const r of results) assert.equal(r.status === 'rejected' && r.reason.code, 'MOSN_ERR_PLUGIN_TIMEOUT');
  assert.deepEqual(client.counters, { calls: 2, errors: 0, timeouts: 2 });
});

test('without an endpoint a call fails at once with MOSN_ERR_PLUGIN_UNAVAILABLE', async () => {
  const client = new PluginClient('gone', 1, logger);
  await assert.rejects(client.checkRequest(check('/')), { code: 'MOSN_ERR_PLUGIN_UNAVAILABLE', message: /plugin "gone" is unavailable: it is not running/ });
  assert.deepEqual(client.counters, { calls: 1, errors: 1, timeouts: 0 });
});
