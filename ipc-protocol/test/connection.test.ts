import assert from 'node:assert/strict';
import { once } from 'node:events';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import {
  CancellationTokenSource,
  ControlStatus,
  ControlStop,
  IPC_ERROR_CODES,
  JsonRpcErrorCodes,
  RPC_ERROR_CODES,
  ResponseError,
  connectUnix,
  encodeFrame,
} from '../src/index.js';
import type { StatusResult, StopParams } from '../src/index.js';
import { connectClient, startServer, tempDir, withDeadline } from './helpers/ipc.js';
import type { LogRecord, TestServer } from './helpers/ipc.js';
import { Echo, Event, Hang } from './helpers/methods.js';

const STATUS: StatusResult = {
  supervisor: { pid: 4242, version: '0.1.0', configPath: '/etc/mosn/mosn.json', startedAt: 1_700_000_000_000, generation: 3, state: 'running', reloads: { ok: 2, failed: 0 }, totals: { requests: 10, connections: 4, accessLogDropped: 0 } },
  workers: [
    {
      id: 0,
      pid: 4243,
      generation: 3,
      state: 'ready',
      startedAt: 1_700_000_000_500,
      restarts: 1,
      connectionsActive: 12,
      connectionsTotal: 3_456,
      requestsTotal: 98_765,
      accessLogDropped: 0,
      requestsPerSecond: 0,
    },
  ],
  listeners: [{ name: 'http', address: '0.0.0.0', port: 2045 }],
  plugins: [],
};

async function echoServer(t: TestContext): Promise<TestServer> {
  const dir = await tempDir(t);
  return startServer(t, join(dir, 's.sock'), (connection) => {
    connection.onRequest(Echo, (params) => params);
  });
}

function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

function frameHeader(length: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(length, 0);
  return buffer;
}

const withCode = (code: string) => (record: LogRecord) => record.obj['code'] === code;

test('a control request gets its typed result over a Unix socket', async (t) => {
  const dir = await tempDir(t);
  let stopParams: StopParams | undefined;
  const { path } = await startServer(t, join(dir, 'control.sock'), (connection) => {
    connection.onRequest(ControlStatus, () => STATUS);
    connection.onRequest(ControlStop, (params) => {
      stopParams = params;
      return { accepted: true } as const;
    });
  });
  const { connection } = await connectClient(t, path);
  assert.deepEqual(await connection.sendRequest(ControlStatus), STATUS);
  assert.deepEqual(await connection.sendRequest(ControlStop, { graceful: true }), { accepted: true });
  assert.deepEqual(stopParams, { graceful: true });
});

test('a notification reaches the peer, in the order sent', async (t) => {
  const dir = await tempDir(t);
  const seen: number[] = [];
  const allSeen = deferred();
  const { path } = await startServer(t, join(dir, 's.sock'), (connection) => {
    connection.onNotification(Event, ({ seq }) => {
      seen.push(seq);
      if (seen.length === 3) allSeen.resolve();
    });
  });
  const { connection } = await connectClient(t, path);
  await Promise.all([1, 2, 3].map((seq) => connection.sendNotification(Event, { seq })));
  await withDeadline(allSeen.promise, 5_000, 'three notifications');
  assert.deepEqual(seen, [1, 2, 3]);
});

test('cancelling a request cancels the token the server handler holds', async (t) => {
  const dir = await tempDir(t);
  const started = deferred();
  let serverSawCancel = false;
  const { path } = await startServer(t, join(dir, 's.sock'), (connection) => {
    connection.onRequest(
      Hang,
      (_params, token) =>
        new Promise<never>((_resolve, reject) => {
          token.onCancellationRequested(() => {
            serverSawCancel = true;
            reject(new ResponseError(RPC_ERROR_CODES.cancelled, 'cancelled by the caller'));
          });
          started.resolve();
        }),
    );
  });
  const { connection } = await connectClient(t, path);
  const source = new CancellationTokenSource();
  const pending = connection.sendRequest(Hang, { id: 1 }, source.token);
  await withDeadline(started.promise, 5_000, 'the handler to start');
  source.cancel();
  await assert.rejects(pending, (error: unknown) => {
    assert.ok(error instanceof ResponseError);
    assert.equal(error.code, RPC_ERROR_CODES.cancelled);
    return true;
  });
  assert.equal(serverSawCancel, true);
});

test('a handler that throws a typed error gives the caller a ResponseError with our code, message and data', async (t) => {
  const dir = await tempDir(t);
  const { path } = await startServer(t, join(dir, 's.sock'), (connection) => {
    connection.onRequest(Echo, () => {
      throw new ResponseError(RPC_ERROR_CODES.unauthorized, 'initialize: expected the launch secret, found none', { plugin: 'auth' });
    });
  });
  const { connection } = await connectClient(t, path);
  await assert.rejects(connection.sendRequest(Echo, { id: 1 }), (error: unknown) => {
    assert.ok(error instanceof ResponseError);
    assert.equal(error.code, RPC_ERROR_CODES.unauthorized);
    assert.equal(error.message, 'initialize: expected the launch secret, found none');
    assert.deepEqual(error.data, { plugin: 'auth' });
    return true;
  });
});

test('1,000 concurrent requests are all answered, each with its own result', async (t) => {
  const { path } = await echoServer(t);
  const { connection } = await connectClient(t, path);
  const ids = Array.from({ length: 1_000 }, (_, i) => i);
  const results = await Promise.all(ids.map((id) => connection.sendRequest(Echo, { id, payload: `p${id}` })));
  assert.deepEqual(
    results,
    ids.map((id) => ({ id, payload: `p${id}` })),
  );
});

test('a message is one socket write with its length prefix, and messages of one tick share one write', async (t) => {
  const { path } = await echoServer(t);
  const { connection, socket } = await connectClient(t, path);
  const written: Buffer[] = [];
  const write = socket.write.bind(socket);
  // A spy on the real socket, not a mock: every byte still goes out.
  socket.write = ((chunk: Buffer, ...rest: never[]) => {
    written.push(Buffer.from(chunk));
    return write(chunk, ...rest);
  }) as typeof socket.write;

  assert.deepEqual(await connection.sendRequest(Echo, { id: 1 }), { id: 1 });
  assert.equal(written.length, 1);
  assert.equal(written[0]?.readUInt32BE(0), (written[0]?.length ?? 0) - 4, 'prefix and body in the same write');

  written.length = 0;
  await Promise.all(Array.from({ length: 10 }, (_, id) => connection.sendRequest(Echo, { id })));
  assert.equal(written.length, 1, 'ten requests sent in one tick leave in one write');
});

test('pending requests fail at once when the peer closes the connection', async (t) => {
  const dir = await tempDir(t);
  const started = deferred();
  const { path, connections } = await startServer(t, join(dir, 's.sock'), (connection) => {
    connection.onRequest(Hang, () => {
      started.resolve();
      return new Promise<never>(() => {});
    });
  });
  const { connection } = await connectClient(t, path);
  const pending = connection.sendRequest(Hang, { id: 1 });
  await withDeadline(started.promise, 5_000, 'the handler to start');
  connections[0]?.dispose();
  await assert.rejects(withDeadline(pending, 5_000, 'the pending request to fail'), (error: unknown) => {
    assert.ok(error instanceof ResponseError);
    assert.equal(error.code, JsonRpcErrorCodes.PendingResponseRejected);
    return true;
  });
});

test('a message over the sender’s size limit is refused locally and the connection stays usable', async (t) => {
  const { path } = await echoServer(t);
  const { connection, logger } = await connectClient(t, path, { maxFrameBytes: 1_024 });
  await assert.rejects(connection.sendRequest(Echo, { id: 1, payload: 'x'.repeat(2_000) }), (error: unknown) => {
    assert.ok(error instanceof ResponseError);
    assert.match(error.message, /expected at most 1024 bytes/);
    return true;
  });
  await logger.waitFor(withCode(IPC_ERROR_CODES.frameTooLarge), 'the refused message to be logged');
  assert.deepEqual(await connection.sendRequest(Echo, { id: 2 }), { id: 2 });
});

/** Sends raw bytes on a fresh connection and waits for the server to close it. */
async function sendRaw(t: TestContext, path: string, bytes: Buffer): Promise<void> {
  const raw = await connectUnix(path);
  t.after(() => raw.destroy());
  raw.on('error', () => {}); // the server may reset the connection; only the close matters
  const closed = once(raw, 'close');
  raw.write(bytes);
  await withDeadline(closed, 5_000, 'the server to close the connection');
}

test('an oversize length prefix closes that connection, is logged with its code, and the server keeps serving', async (t) => {
  const { path, logger } = await echoServer(t);
  const { connection: before } = await connectClient(t, path);
  assert.deepEqual(await before.sendRequest(Echo, { id: 1 }), { id: 1 });

  await sendRaw(t, path, frameHeader(0xffff_ffff));
  const record = await logger.waitFor(withCode(IPC_ERROR_CODES.frameTooLarge), 'the frame error to be logged');
  assert.equal(record.level, 'error');
  assert.match(record.msg ?? '', /expected at most 16777216 bytes, found 4294967295/);

  assert.deepEqual(await before.sendRequest(Echo, { id: 2 }), { id: 2 }, 'an existing connection is untouched');
  const { connection: after } = await connectClient(t, path);
  assert.deepEqual(await after.sendRequest(Echo, { id: 3 }), { id: 3 }, 'a new connection is served');
});

test('a size limit set on the server applies to incoming frames', async (t) => {
  const dir = await tempDir(t);
  const { path, logger } = await startServer(t, join(dir, 's.sock'), () => {}, { maxFrameBytes: 64 });
  await sendRaw(t, path, Buffer.concat([frameHeader(65), Buffer.alloc(65)]));
  const record = await logger.waitFor(withCode(IPC_ERROR_CODES.frameTooLarge), 'the frame error to be logged');
  assert.match(record.msg ?? '', /expected at most 64 bytes, found 65/);
});

test('garbage bytes in a well-sized frame close that connection, logged as a decode error, and the server keeps serving', async (t) => {
  const { path, logger } = await echoServer(t);
  await sendRaw(t, path, Buffer.concat([frameHeader(3), Buffer.from([0x81, 0xc1, 0xff])]));
  const record = await logger.waitFor(withCode(IPC_ERROR_CODES.frameDecode), 'the decode error to be logged');
  assert.equal(record.level, 'error');
  const { connection } = await connectClient(t, path);
  assert.deepEqual(await connection.sendRequest(Echo, { id: 1 }), { id: 1 });
});

test('a frame of MessagePack that is not a JSON-RPC message closes that connection', async (t) => {
  const { path, logger } = await echoServer(t);
  await sendRaw(t, path, encodeFrame({ hello: 'world' }));
  const record = await logger.waitFor(withCode(IPC_ERROR_CODES.frameDecode), 'the decode error to be logged');
  assert.match(record.msg ?? '', /expected a map with jsonrpc "2.0", found an object/);
});

test('a malformed cancel notification closes that connection instead of throwing', async (t) => {
  const { path, logger } = await echoServer(t);
  // vscode-jsonrpc reads params.id of every $/cancelRequest; without params it would throw.
  await sendRaw(t, path, encodeFrame({ jsonrpc: '2.0', method: '$/cancelRequest' }));
  await logger.waitFor(withCode(IPC_ERROR_CODES.frameDecode), 'the dispatch error to be logged');
  const { connection } = await connectClient(t, path);
  assert.deepEqual(await connection.sendRequest(Echo, { id: 1 }), { id: 1 });
});

test('a peer that closes mid-frame ends the connection without logging a frame error', async (t) => {
  const { path, logger } = await echoServer(t);
  const { connection, socket } = await connectClient(t, path);
  assert.deepEqual(await connection.sendRequest(Echo, { id: 1 }), { id: 1 });
  // Half a frame, then close: the server sees the end of a stream mid-frame, which is not an error.
  socket.write(frameHeader(100));
  socket.end();
  await withDeadline(once(socket, 'close'), 5_000, 'the socket to close');
  assert.equal(
    logger.records.filter((r) => r.obj['code'] === IPC_ERROR_CODES.frameDecode || r.obj['code'] === IPC_ERROR_CODES.frameTooLarge).length,
    0,
  );
});

test('a reply to a peer that has gone is dropped and logged, without an unhandled rejection', async (t) => {
  const dir = await tempDir(t);
  const started = deferred();
  const release = deferred();
  const serverClosed = deferred();
  const { path, logger } = await startServer(t, join(dir, 's.sock'), (connection) => {
    connection.onClose(() => serverClosed.resolve());
    connection.onRequest(Echo, async (params) => {
      started.resolve();
      await release.promise;
      return params;
    });
  });
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on('unhandledRejection', onUnhandled);
  t.after(() => process.off('unhandledRejection', onUnhandled));

  const { connection } = await connectClient(t, path);
  const pending = connection.sendRequest(Echo, { id: 1 });
  await withDeadline(started.promise, 5_000, 'the handler to start');
  connection.dispose();
  await assert.rejects(pending, (error: unknown) => error instanceof ResponseError && error.code === JsonRpcErrorCodes.PendingResponseRejected);
  await withDeadline(serverClosed.promise, 5_000, 'the server side to see the close');
  release.resolve();
  await logger.waitFor((r) => r.obj['component'] === 'jsonrpc', 'vscode-jsonrpc to log the failed reply');
  // One more turn of the loop for any rejection to surface.
  await new Promise<void>((resolve) => setImmediate(resolve));
  assert.deepEqual(unhandled, []);
});
