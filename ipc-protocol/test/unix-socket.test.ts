import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { lstat, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { IPC_ERROR_CODES, IpcError, connectUnix, listenUnix } from '../src/index.js';
import { captureLogger, connectClient, startServer, tempDir, withDeadline } from './helpers/ipc.js';
import { Echo } from './helpers/methods.js';

function isIpcError(code: string, fragment?: string) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof IpcError, `expected an IpcError, found ${String(error)}`);
    assert.equal(error.code, code);
    if (fragment !== undefined) assert.ok(error.message.includes(fragment), `"${error.message}" mentions ${fragment}`);
    return true;
  };
}

test('the socket file is created with mode 0600', async (t) => {
  const dir = await tempDir(t);
  const { path } = await startServer(t, join(dir, 's.sock'));
  const info = await stat(path);
  assert.ok(info.isSocket());
  assert.equal(info.mode & 0o777, 0o600);
});

test('a stale socket file left by a killed process is replaced', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'stale.sock');
  // A real process that binds the path and dies by SIGKILL, leaving its socket file behind.
  const child = spawn(
    process.execPath,
    ['-e', "require('net').createServer().listen(process.argv[1], () => process.kill(process.pid, 'SIGKILL'))", path],
    { stdio: 'ignore' },
  );
  t.after(() => child.kill('SIGKILL'));
  const [, signal] = (await withDeadline(once(child, 'exit'), 10_000, 'the child to die')) as [number | null, string | null];
  assert.equal(signal, 'SIGKILL');
  assert.ok((await lstat(path)).isSocket(), 'the stale socket file is there');

  await startServer(t, path, (connection) => connection.onRequest(Echo, (params) => params));
  const { connection } = await connectClient(t, path);
  assert.deepEqual(await connection.sendRequest(Echo, { id: 1 }), { id: 1 });
  assert.equal((await stat(path)).mode & 0o777, 0o600);
});

test('listening where a live server answers is refused, and that server keeps serving', async (t) => {
  const dir = await tempDir(t);
  const { path } = await startServer(t, join(dir, 's.sock'), (connection) => connection.onRequest(Echo, (params) => params));
  await assert.rejects(
    listenUnix(path, { logger: captureLogger(), onConnection: () => assert.fail('no connection expected') }),
    isIpcError(IPC_ERROR_CODES.socketInUse, 'found a live server answering there'),
  );
  const { connection } = await connectClient(t, path);
  assert.deepEqual(await connection.sendRequest(Echo, { id: 1 }), { id: 1 });
});

test('a regular file at the socket path is refused and left untouched', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'not-a-socket');
  await writeFile(path, 'precious');
  await assert.rejects(
    listenUnix(path, { logger: captureLogger(), onConnection: () => {} }),
    isIpcError(IPC_ERROR_CODES.listen, 'found a file that is not a socket'),
  );
  assert.equal(await readFile(path, 'utf8'), 'precious');
});

test('a socket path longer than 107 bytes is refused before binding', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'x'.repeat(120));
  await assert.rejects(
    listenUnix(path, { logger: captureLogger(), onConnection: () => {} }),
    isIpcError(IPC_ERROR_CODES.listen, 'expected a path of at most 107 bytes'),
  );
});

test('closing the server removes its socket file', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 's.sock');
  const server = await listenUnix(path, { logger: captureLogger(), onConnection: (socket) => socket.destroy() });
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  await assert.rejects(lstat(path), { code: 'ENOENT' });
});

test('connecting where nothing listens fails with MOSN_ERR_IPC_CONNECT and the cause', async (t) => {
  const dir = await tempDir(t);
  await assert.rejects(connectUnix(join(dir, 'missing.sock')), (error: unknown) => {
    isIpcError(IPC_ERROR_CODES.connect, 'found ENOENT')(error);
    assert.equal(((error as IpcError).cause as NodeJS.ErrnoException).code, 'ENOENT');
    return true;
  });
});
