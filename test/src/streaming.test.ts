import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { test } from 'node:test';
import { catchAllRouter, cluster, httpListener, mosnConfig } from './helpers/config-builder.js';
import { startMosn } from './helpers/mosn-process.js';
import { startHttpUpstream } from './helpers/upstream.js';

const MiB = 1024 * 1024;

function block(i: number): Buffer {
  return Buffer.alloc(64 * 1024, i % 251);
}

test('streams a large chunked upload and a large download through the proxy intact', async (t) => {
  const upstream = await startHttpUpstream(t, (req, res) => {
    if (req.method === 'POST') {
      const hash = createHash('sha256');
      let bytes = 0;
      req.on('data', (c: Buffer) => {
        bytes += c.length;
        hash.update(c);
      });
      req.on('end', () => res.end(JSON.stringify({ bytes, sha256: hash.digest('hex') })));
      return;
    }
    // Download: 32 MiB, chunked, written with backpressure.
    let i = 0;
    const total = (32 * MiB) / (64 * 1024);
    const write = (): void => {
      while (i < total) {
        if (!res.write(block(i++))) return void res.once('drain', write);
      }
      res.end();
    };
    write();
  });
  const mosn = await startMosn(t, mosnConfig({
    listeners: [httpListener('http', 'r')],
    routers: [catchAllRouter('r', 'up', { timeout: '60s' })],
    clusters: [cluster('up', [upstream.address])],
  }), { workers: 1 });
  const port = mosn.port('http');

  // Upload 48 MiB chunked (no Content-Length).
  const sent = createHash('sha256');
  const upload = await new Promise<{ bytes: number; sha256: string }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/upload', agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(JSON.parse(body) as { bytes: number; sha256: string }));
    });
    req.on('error', reject);
    let i = 0;
    const total = (48 * MiB) / (64 * 1024);
    const write = (): void => {
      while (i < total) {
        const b = block(i++);
        sent.update(b);
        if (!req.write(b)) return void req.once('drain', write);
      }
      req.end();
    };
    write();
  });
  assert.equal(upload.bytes, 48 * MiB);
  assert.equal(upload.sha256, sent.digest('hex'));

  const expected = createHash('sha256');
  for (let i = 0; i < (32 * MiB) / (64 * 1024); i++) expected.update(block(i));
  const download = await new Promise<{ bytes: number; sha256: string; te: string | undefined }>((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/download', agent: false }, (res) => {
        const hash = createHash('sha256');
        let bytes = 0;
        res.on('data', (c: Buffer) => {
          bytes += c.length;
          hash.update(c);
        });
        res.on('end', () => resolve({ bytes, sha256: hash.digest('hex'), te: res.headers['transfer-encoding'] }));
      })
      .on('error', reject);
  });
  assert.equal(download.bytes, 32 * MiB);
  assert.equal(download.sha256, expected.digest('hex'));
  assert.equal(download.te, 'chunked');
});
