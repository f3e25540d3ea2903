import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { cluster, mosnConfig, tcpListener } from './helpers/config-builder.js';
import { startMosn } from './helpers/mosn-process.js';
import { startEchoUpstream } from './helpers/upstream.js';

test('tcp_proxy echoes bytes both ways and carries a half-close through', async (t) => {
  const echo = await startEchoUpstream(t);
  const mosn = await startMosn(t, mosnConfig({ listeners: [tcpListener('tcp', 'echo')], clusters: [cluster('echo', [echo.address])] }));
  const payload = Buffer.alloc(4 * 1024 * 1024, 7);
  const received = await new Promise<Buffer>((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port: mosn.port('tcp'), allowHalfOpen: true }, () => {
      // End our side right after writing: the echo must still come back in full, then end.
      socket.end(payload);
    });
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
  });
  assert.equal(received.length, payload.length);
  assert.ok(received.equals(payload));
});
