import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { test } from 'node:test';
import { cluster, mosnConfig, tcpListener } from './helpers/config.js';
import { closedPort, startNetServer, startWorker, waitFor } from './helpers/servers.js';

const T = { timeout: 30_000 };

function connect(t: Parameters<typeof startNetServer>[0], port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => resolve(s));
    s.once('error', reject);
    t.after(() => s.destroy());
  });
}

function readAll(s: net.Socket): Promise<Buffer> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    s.on('data', (c: Buffer) => parts.push(c));
    s.on('end', () => resolve(Buffer.concat(parts)));
    s.on('close', () => resolve(Buffer.concat(parts)));
  });
}

function tcpConfig(ports: number[], idleTimeoutMs = 0) {
  return mosnConfig({ listeners: [tcpListener('tcp', 'c', idleTimeoutMs)], clusters: [cluster('c', ports)] });
}

test('tcp_proxy pipes bytes both ways (echo)', T, async (t) => {
  const up = await startNetServer(t, (s) => s.pipe(s));
  const w = await startWorker(t, tcpConfig([up.port]));
  const c = await connect(t, w.port);
  const got = readAll(c);
  c.write('hello ');
  c.end('world');
  assert.equal((await got).toString(), 'hello world');
});

test('tcp_proxy carries a client half-close: the upstream sees the end and can still answer', T, async (t) => {
  const up = await startNetServer(
    t,
    (s) => {
      const parts: Buffer[] = [];
      s.on('data', (c: Buffer) => parts.push(c));
      s.on('end', () => {
        // The client finished sending; the answer comes after that.
        setTimeout(() => s.end('received ' + Buffer.concat(parts).length + ' bytes'), 20);
      });
    },
    { allowHalfOpen: true },
  );
  const w = await startWorker(t, tcpConfig([up.port]));
  const c = await connect(t, w.port);
  const got = readAll(c);
  c.end(Buffer.alloc(1000, 1));
  assert.equal((await got).toString(), 'received 1000 bytes');
});

test('tcp_proxy carries an upstream half-close: the client can still send after the upstream ended', T, async (t) => {
  let upstreamGot = '';
  const upstreamDone = new Promise<void>((resolve) => {
    void startNetServer(
      t,
      (s) => {
        s.end('bye first');
        s.setEncoding('latin1');
        s.on('data', (d: string) => (upstreamGot += d));
        s.on('end', () => resolve());
      },
      { allowHalfOpen: true },
    ).then(async (up) => {
      const w = await startWorker(t, tcpConfig([up.port]));
      const c = await connect(t, w.port);
      c.on('data', () => undefined);
      await new Promise<void>((r) => c.once('end', r));
      c.end('late words');
    });
  });
  await upstreamDone;
  assert.equal(upstreamGot, 'late words');
});

test('tcp_proxy moves 32 MB each way intact', T, async (t) => {
  const up = await startNetServer(t, (s) => s.pipe(s), { allowHalfOpen: true });
  const w = await startWorker(t, tcpConfig([up.port]));
  const c = await connect(t, w.port);
  const data = randomBytes(32 * 1024 * 1024);
  const got = readAll(c);
  c.end(data);
  const back = await got;
  assert.equal(back.length, data.length);
  assert.equal(createHash('sha256').update(back).digest('hex'), createHash('sha256').update(data).digest('hex'));
});

test('tcp_proxy closes a pair idle for longer than idle_timeout', T, async (t) => {
  const up = await startNetServer(t, (s) => s.pipe(s));
  const w = await startWorker(t, tcpConfig([up.port], 100));
  const c = await connect(t, w.port);
  c.write('x');
  const started = Date.now();
  await new Promise<void>((resolve) => c.on('end', () => resolve()).on('data', () => undefined));
  assert.ok(Date.now() - started >= 90);
  await waitFor(() => up.sockets.size === 0, 'the upstream side to close');
});

test('tcp_proxy closes the client when the upstream refuses the connection', T, async (t) => {
  const port = await closedPort();
  const w = await startWorker(t, tcpConfig([port]));
  const c = await connect(t, w.port);
  c.on('error', () => undefined);
  await new Promise<void>((resolve) => c.on('end', () => resolve()).on('close', () => resolve()).resume());
  await waitFor(() => w.server.stats().connectionsActive === 0, 'the pair to be released');
});

test('tcp_proxy takes the cluster hosts in turn', T, async (t) => {
  const a = await startNetServer(t, (s) => s.end('a'));
  const b = await startNetServer(t, (s) => s.end('b'));
  const w = await startWorker(t, tcpConfig([a.port, b.port]));
  const seen: string[] = [];
  for (let i = 0; i < 4; i++) {
    const c = await connect(t, w.port);
    const got = readAll(c);
    c.end();
    seen.push((await got).toString());
  }
  assert.deepEqual(seen, ['a', 'b', 'a', 'b']);
});
