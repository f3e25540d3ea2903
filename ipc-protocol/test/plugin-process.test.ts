import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { IPC_ERROR_CODES, connectUnix, encodeFrame, parseHandshake } from '../src/index.js';
import { connectClient, tempDir, withDeadline } from './helpers/ipc.js';
import { Echo } from './helpers/methods.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/plugin-server.js', import.meta.url));

/** Starts the fixture server process; resolves once its handshake line has been read. */
async function startPluginProcess(t: TestContext) {
  const dir = await tempDir(t);
  const child = spawn(process.execPath, [FIXTURE, '--serve', join(dir, 'plugin.sock')], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = once(child, 'exit');
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  });
  const logs: Record<string, unknown>[] = [];
  const logEvents = new EventEmitter();
  createInterface({ input: child.stderr }).on('line', (line) => {
    const record = JSON.parse(line) as Record<string, unknown>;
    logs.push(record);
    logEvents.emit('log', record);
  });
  const [line] = (await withDeadline(once(createInterface({ input: child.stdout }), 'line'), 10_000, 'the handshake line')) as [string];
  const waitForLog = (code: string): Promise<Record<string, unknown>> => {
    const found = logs.find((r) => r['code'] === code);
    if (found !== undefined) return Promise.resolve(found);
    return withDeadline(
      new Promise((resolve) => {
        const listener = (record: Record<string, unknown>): void => {
          if (record['code'] !== code) return;
          logEvents.off('log', listener);
          resolve(record);
        };
        logEvents.on('log', listener);
      }),
      5_000,
      `a log line with ${code}`,
    );
  };
  return { child, handshake: parseHandshake(line), waitForLog };
}

async function sendRawAndWaitClose(t: TestContext, path: string, bytes: Buffer): Promise<void> {
  const raw = await connectUnix(path);
  t.after(() => raw.destroy());
  raw.on('error', () => {});
  const closed = once(raw, 'close');
  raw.write(bytes);
  await withDeadline(closed, 5_000, 'the plugin to close the connection');
}

test('a plugin process prints a handshake line that names the socket it serves', async (t) => {
  const { handshake } = await startPluginProcess(t);
  assert.equal(handshake.pluginVersion, '0.0.1-test');
  const { connection } = await connectClient(t, handshake.socketPath);
  assert.deepEqual(await connection.sendRequest(Echo, { id: 7 }), { id: 7 });
});

test('malformed frames sent to a plugin process are logged with their codes and the process keeps serving', async (t) => {
  const { child, handshake, waitForLog } = await startPluginProcess(t);
  const oversize = Buffer.from([0xff, 0xff, 0xff, 0xff]);
  await sendRawAndWaitClose(t, handshake.socketPath, oversize);
  const tooLarge = await waitForLog(IPC_ERROR_CODES.frameTooLarge);
  assert.equal(tooLarge['level'], 'error');

  await sendRawAndWaitClose(t, handshake.socketPath, Buffer.from([0, 0, 0, 2, 0xc1, 0xc1]));
  await waitForLog(IPC_ERROR_CODES.frameDecode);

  await sendRawAndWaitClose(t, handshake.socketPath, encodeFrame([1, 2, 3]));

  const { connection } = await connectClient(t, handshake.socketPath);
  assert.deepEqual(await connection.sendRequest(Echo, { id: 1 }), { id: 1 });
  assert.equal(child.exitCode, null, 'the plugin process is still running');
  assert.equal(child.signalCode, null);
});
