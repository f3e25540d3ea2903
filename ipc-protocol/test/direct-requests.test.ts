import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { JsonRpcErrorCodes, ParameterStructures, RequestType, ResponseError } from '../src/index.js';
import type { IpcConnection } from '../src/index.js';
import { connectClient, startServer, tempDir, withDeadline } from './helpers/ipc.js';
import type { TestServer } from './helpers/ipc.js';
import { Blob, Echo, Event, Hang } from './helpers/methods.js';

// A request that never settles fails its test instead of hanging the run.
const DEADLINE = { timeout: 5000 };

async function server(t: TestContext, register: (connection: IpcConnection) => void): Promise<TestServer & { path: string }> {
  const path = join(await tempDir(t), 's.sock');
  return { ...(await startServer(t, path, register)), path };
}

test('a direct handler answers direct and ordinary requests alike, with a value or a promise of one', DEADLINE, async (t) => {
  const { path } = await server(t, (connection) => {
    connection.onDirectRequest(Echo, (params) => (params.id % 2 === 0 ? params : Promise.resolve({ ...params, payload: 'later' })));
  });
  const { connection } = await connectClient(t, path);
  assert.deepEqual(await connection.sendDirectRequest(Echo, { id: 2, payload: 'x' }), { id: 2, payload: 'x' });
  assert.deepEqual(await connection.sendDirectRequest(Echo, { id: 3 }), { id: 3, payload: 'later' });
  // vscode-jsonrpc's own request (a number id) reaches the same handler and gets its answer.
  assert.deepEqual(await connection.sendRequest(Echo, { id: 4 }), { id: 4 });
  const many = await Promise.all(Array.from({ length: 50 }, (_, id) => connection.sendDirectRequest(Echo, { id })));
  assert.deepEqual(many.map((r) => r.id), Array.from({ length: 50 }, (_, id) => id));
});

test('a direct request reaches an ordinary handler, and methods without a direct handler still go to vscode-jsonrpc', DEADLINE, async (t) => {
  const { path } = await server(t, (connection) => {
    connection.onRequest(Echo, (params) => ({ ...params, payload: 'queued' }));
  });
  const { connection } = await connectClient(t, path);
  assert.deepEqual(await connection.sendDirectRequest(Echo, { id: 1 }), { id: 1, payload: 'queued' });
});

test('a direct handler that throws or rejects answers with an error, as vscode-jsonrpc words it', DEADLINE, async (t) => {
  const { path } = await server(t, (connection) => {
    connection.onDirectRequest(Echo, (params) => {
      if (params.payload === 'typed') throw new ResponseError(-31000, 'no such key', { code: 'MOSN_ERR_X' });
      if (params.payload === 'plain') throw new Error('boom');
      if (params.payload === 'reject') return Promise.reject(new Error('later boom'));
      return params;
    });
  });
  const { connection } = await connectClient(t, path);
  await assert.rejects(connection.sendDirectRequest(Echo, { id: 1, payload: 'typed' }), (error: unknown) => {
    assert.ok(error instanceof ResponseError);
    assert.deepEqual([error.code, error.message, error.data], [-31000, 'no such key', { code: 'MOSN_ERR_X' }]);
    return true;
  });
  await assert.rejects(connection.sendDirectRequest(Echo, { id: 2, payload: 'plain' }), { code: JsonRpcErrorCodes.InternalError, message: 'Request test/echo failed with message: boom' });
  await assert.rejects(connection.sendRequest(Echo, { id: 3, payload: 'reject' }), { code: JsonRpcErrorCodes.InternalError, message: 'Request test/echo failed with message: later boom' });
  // The connection is still usable after each.
  assert.deepEqual(await connection.sendDirectRequest(Echo, { id: 4 }), { id: 4 });
});

test('direct requests pending when the connection closes reject at once, and so do later ones', DEADLINE, async (t) => {
  const arrived: number[] = [];
  const { path, connections } = await server(t, (connection) => {
    connection.onDirectRequest(Hang, (params) => {
      arrived.push(params.id);
      return new Promise<never>(() => {});
    });
  });
  const { connection } = await connectClient(t, path);
  const pending = connection.sendDirectRequest(Hang, { id: 1 });
  await withDeadline(
    (async () => {
      while (arrived.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    })(),
    2000,
    'the request to arrive',
  );
  for (const c of connections) c.dispose();
  await assert.rejects(withDeadline(pending, 2000, 'the pending request to reject'), { code: JsonRpcErrorCodes.PendingResponseRejected });
  await withDeadline(
    (async () => {
      while (!(await connection.sendDirectRequest(Hang, { id: 2 }).then(() => false, (error: { code?: number }) => error.code === JsonRpcErrorCodes.PendingResponseRejected))) await new Promise((resolve) => setTimeout(resolve, 5));
    })(),
    2000,
    'requests after the close to reject',
  );
});

test('a direct request is answered when read, ahead of notifications vscode-jsonrpc still has queued', DEADLINE, async (t) => {
  const seen: number[] = [];
  const { path } = await server(t, (connection) => {
    connection.onNotification(Event, (params) => void seen.push(params.seq));
    connection.onDirectRequest(Echo, (params) => ({ id: params.id, payload: String(seen.length) }));
  });
  const { connection } = await connectClient(t, path);
  // Written in one tick, so they arrive together: vscode-jsonrpc hands the server one notification per loop turn.
  const sent = Array.from({ length: 50 }, (_, seq) => connection.sendNotification(Event, { seq }));
  const answer = await connection.sendDirectRequest(Echo, { id: 1 });
  await Promise.all(sent);
  assert.ok(Number(answer.payload) < 50, `answered after ${answer.payload} of the 50 notifications before it`);
});

test('an answer that cannot be encoded comes back as an error at once; an undefined one as null', DEADLINE, async (t) => {
  const { path } = await server(t, (connection) => {
    connection.onDirectRequest(Echo, (params) => (params.id === 1 ? ({ id: 1, payload: Symbol('not packable') } as unknown as typeof params) : (undefined as unknown as typeof params)));
  });
  const { connection } = await connectClient(t, path);
  await assert.rejects(connection.sendDirectRequest(Echo, { id: 1 }), (error: unknown) => {
    assert.ok(error instanceof ResponseError);
    assert.equal(error.code, JsonRpcErrorCodes.InternalError);
    assert.match(error.message, /^Request test\/echo failed with message: cannot encode message/);
    return true;
  });
  assert.equal(await connection.sendDirectRequest(Echo, { id: 2 }), null);
});

test('a direct notification is handled when read, in order, with its bytes as sent and kept until its handler settles; others still go to vscode-jsonrpc', DEADLINE, async (t) => {
  const direct: { seq: number; bytes: Uint8Array }[] = [];
  const queued: number[] = [];
  let queuedWhenFirstDirect = -1;
  let allArrived!: () => void;
  const arrived = new Promise<void>((resolve) => (allArrived = resolve));
  const check = (): void => void (queued.length === 50 && direct.length === 5 && allArrived());
  const { path } = await server(t, (connection) => {
    connection.onNotification(Event, (params) => {
      queued.push(params.seq);
      check();
    });
    // The bytes are views of the receive buffer: the handler keeps them by returning a promise
    // that settles only once every blob is in, and the blobs read after are put elsewhere.
    connection.onDirectNotification(Blob, (params) => {
      if (direct.length === 0) queuedWhenFirstDirect = queued.length;
      direct.push(params);
      check();
      return arrived;
    });
  });
  const { connection } = await connectClient(t, path);
  const events = Array.from({ length: 50 }, (_, seq) => connection.sendNotification(Event, { seq }));
  const blobs = Array.from({ length: 5 }, (_, seq) => connection.sendNotification(Blob, { seq, bytes: Buffer.alloc(70_000 + seq, seq) }));
  await Promise.all([...events, ...blobs]);
  await withDeadline(arrived, 4000, 'every notification to arrive');
  assert.ok(queuedWhenFirstDirect < 50, `handled after ${queuedWhenFirstDirect} of the 50 queued notifications before it`);
  assert.deepEqual(direct.map((d) => d.seq), [0, 1, 2, 3, 4]);
  for (const { seq, bytes } of direct) {
    assert.ok(bytes instanceof Uint8Array, 'bytes arrive as bytes');
    assert.equal(bytes.length, 70_000 + seq);
    assert.ok(bytes.every((b) => b === seq), `blob ${seq} intact`);
  }
  assert.deepEqual(queued, Array.from({ length: 50 }, (_, seq) => seq));
});

test('a direct notification handler that throws is logged, and the connection goes on', DEADLINE, async (t) => {
  const seen: number[] = [];
  const { path, logger } = await server(t, (connection) => {
    connection.onDirectNotification(Event, (params) => {
      if (params.seq === 1) throw new Error('bad batch');
      seen.push(params.seq);
    });
    connection.onDirectRequest(Echo, (params) => params);
  });
  const { connection } = await connectClient(t, path);
  for (const seq of [0, 1, 2]) await connection.sendNotification(Event, { seq });
  assert.deepEqual(await connection.sendDirectRequest(Echo, { id: 7 }), { id: 7 }, 'still answering');
  assert.deepEqual(seen, [0, 2]);
  const record = await logger.waitFor((r) => /notification handler test\/event failed: bad batch/.test(String(r.msg)), 'the failure logged');
  assert.equal(record.level, 'error');
});

const Keep = new RequestType<{ readonly seq: number; readonly bytes: Uint8Array }, number, void>('test/keep', ParameterStructures.byName);

test('bytes of ordinary messages and of direct requests are their own: kept after the handler, they stay intact as more frames arrive', DEADLINE, async (t) => {
  const kept: { seq: number; bytes: Uint8Array }[] = [];
  let allKept!: () => void;
  const all = new Promise<void>((resolve) => (allKept = resolve));
  const keep = (params: { seq: number; bytes: Uint8Array }): number => {
    kept.push(params);
    if (kept.length === 31) allKept();
    return kept.length;
  };
  const { path } = await server(t, (connection) => {
    // Small (copied before decoding) and large (decoded again from a copy) frames alike.
    connection.onNotification(Blob, (params) => void keep(params));
    connection.onDirectRequest(Keep, keep);
  });
  const { connection } = await connectClient(t, path);
  const size = (seq: number): number => (seq % 2 === 0 ? 1_000 + seq : 150_000 + seq);
  for (let seq = 0; seq < 30; seq++) {
    const bytes = Buffer.alloc(size(seq), seq);
    if (seq % 3 === 0) await connection.sendDirectRequest(Keep, { seq, bytes });
    else await connection.sendNotification(Blob, { seq, bytes });
  }
  await connection.sendDirectRequest(Keep, { seq: 30, bytes: Buffer.alloc(1, 30) });
  await withDeadline(all, 4000, 'every message to reach its handler');
  assert.deepEqual(kept.map((k) => k.seq).sort((a, b) => a - b), Array.from({ length: 31 }, (_, seq) => seq));
  for (const { seq, bytes } of kept.filter((k) => k.seq < 30)) {
    assert.equal(bytes.length, size(seq));
    assert.ok(bytes.every((b) => b === seq), `message ${seq} intact after 30 more frames`);
  }
});

test('large notifications sent with their expected size arrive whole and in order, though their blocks are reused while the peer is slow to read', DEADLINE, async (t) => {
  const size = (seq: number): number => 300_000 + seq * 1_000;
  const pattern = (seq: number, i: number): number => (seq * 31 + i) & 0xff;
  const got: { seq: number; intact: boolean }[] = [];
  const { path } = await server(t, (connection) => {
    connection.onDirectNotification(Blob, (params) => {
      const { seq, bytes } = params;
      let intact = bytes.length === size(seq);
      for (let i = 0; intact && i < bytes.length; i++) intact = bytes[i] === pattern(seq, i);
      got.push({ seq, intact });
    });
    connection.onDirectRequest(Echo, (params) => params);
  });
  const { connection } = await connectClient(t, path);
  const blob = (seq: number) => {
    const bytes = Buffer.allocUnsafe(size(seq));
    for (let i = 0; i < bytes.length; i++) bytes[i] = pattern(seq, i);
    return { seq, bytes };
  };
  // Three rounds of 8 (2.4 MB a round, far more than the socket's buffer): each round's blocks
  // are still being written when it is queued, and the next round packs into them again once
  // written. One estimate in each round is too short: that message is packed elsewhere.
  let seq = 0;
  for (let round = 0; round < 3; round++) {
    const sent: Promise<void>[] = [];
    for (let i = 0; i < 8; i++, seq++) {
      const params = blob(seq);
      sent.push(connection.sendDirectNotification(Blob, params, i === 5 ? 70_000 : params.bytes.length));
    }
    sent.push(connection.sendNotification(Event, { seq: round }));
    await Promise.all(sent);
  }
  assert.deepEqual(await connection.sendDirectRequest(Echo, { id: 1 }), { id: 1 }, 'answers after the blobs');
  assert.deepEqual(got.map((g) => g.seq), Array.from({ length: 24 }, (_, s) => s), 'all, in order');
  assert.deepEqual(got.filter((g) => !g.intact).map((g) => g.seq), [], 'none damaged');
});

test('a direct notification on a closed connection rejects', DEADLINE, async (t) => {
  const { path } = await server(t, () => undefined);
  const { connection } = await connectClient(t, path);
  connection.dispose();
  await assert.rejects(connection.sendDirectNotification(Blob, { seq: 1, bytes: Buffer.alloc(100_000) }, 100_000));
});
