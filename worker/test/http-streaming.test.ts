import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { proxyConfig } from './helpers/config.js';
import { startUpstream, startWorker } from './helpers/servers.js';

const T = { timeout: 60_000 };
const MB = 1024 * 1024;

/** A deterministic pseudo-random payload source of `total` bytes, honouring backpressure. */
const blocks = new Map<number, Buffer>();

function payload(total: number, chunk = 64 * 1024): { stream: () => Readable; sha: string } {
  let block = blocks.get(chunk);
  if (block === undefined) blocks.set(chunk, (block = randomBytes(chunk)));
  const hash = createHash('sha256');
  for (let sent = 0; sent < total; sent += chunk) hash.update(block.subarray(0, Math.min(chunk, total - sent)));
  return {
    sha: hash.digest('hex'),
    stream: () =>
      Readable.from(
        (function* () {
          for (let sent = 0; sent < total; sent += chunk) yield (block as Buffer).subarray(0, Math.min(chunk, total - sent));
        })(),
        { objectMode: false },
      ),
  };
}

interface Received {
  sha: string;
  bytes: number;
  headers: http.IncomingHttpHeaders;
}

function hashIncoming(msg: http.IncomingMessage): Promise<Received> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    let bytes = 0;
    msg.on('data', (c: Buffer) => {
      hash.update(c);
      bytes += c.length;
    });
    msg.on('end', () => resolve({ sha: hash.digest('hex'), bytes, headers: msg.headers }));
    msg.on('error', reject);
    msg.resume(); // a message paused on purpose does not flow again by itself
  });
}

function request(port: number, options: http.RequestOptions, body?: Readable): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, agent: false, ...options }, resolve);
    req.on('error', reject);
    if (body === undefined) req.end();
    else pipeline(body, req).catch(reject);
  });
}

test('a large fixed-length download is streamed intact', T, async (t) => {
  const p = payload(32 * MB);
  const up = await startUpstream(t, (_req, res) => {
    res.writeHead(200, { 'content-length': 32 * MB });
    void pipeline(p.stream(), res).catch(() => undefined);
  });
  const w = await startWorker(t, proxyConfig([up.port]));
  const got = await hashIncoming(await request(w.port, { path: '/' }));
  assert.equal(got.bytes, 32 * MB);
  assert.equal(got.sha, p.sha);
  assert.equal(got.headers['content-length'], String(32 * MB));
});

test('a large chunked download is passed through chunked and intact', T, async (t) => {
  const p = payload(24 * MB, 10_000);
  const up = await startUpstream(t, (_req, res) => void pipeline(p.stream(), res).catch(() => undefined));
  const w = await startWorker(t, proxyConfig([up.port]));
  const got = await hashIncoming(await request(w.port, { path: '/' }));
  assert.equal(got.headers['transfer-encoding'], 'chunked');
  assert.equal(got.sha, p.sha);
});

test('large fixed-length and chunked uploads are streamed intact', T, async (t) => {
  const up = await startUpstream(t, (req, res) => {
    void hashIncoming(req).then((r) => res.end(JSON.stringify({ sha: r.sha, bytes: r.bytes, te: req.headers['transfer-encoding'] ?? null })));
  });
  const w = await startWorker(t, proxyConfig([up.port]));
  for (const chunked of [false, true]) {
    const p = payload(24 * MB, 50_000);
    const headers: http.OutgoingHttpHeaders = chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': 24 * MB };
    const res = await request(w.port, { method: 'POST', path: '/', headers }, p.stream());
    const body = JSON.parse(await new Response(Readable.toWeb(res) as ReadableStream).text()) as { sha: string; bytes: number; te: string | null };
    assert.equal(body.bytes, 24 * MB);
    assert.equal(body.sha, p.sha);
    assert.equal(body.te, chunked ? 'chunked' : null);
  }
});

/** Starts the worker in a child process and samples its RSS while `work` runs. */
async function measureWorkerRss(t: Parameters<typeof startUpstream>[0], upstreamPort: number, work: (port: number, size: number) => Promise<void>, size: number): Promise<{ baseline: number; peak: number }> {
  const child = fork(fileURLToPath(new URL('./fixtures/worker-process.js', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  t.after(() => {
    child.kill();
  });
  const replies: ((m: Record<string, number>) => void)[] = [];
  child.on('message', (m: Record<string, number>) => replies.shift()?.(m));
  const ask = (msg: object): Promise<Record<string, number>> =>
    new Promise((resolve) => {
      replies.push(resolve);
      child.send(msg);
    });
  const { port } = await ask({ type: 'start', config: proxyConfig([upstreamPort]) });
  // Warm up (JIT, pools, buffers) with a small transfer before taking the baseline.
  await work(port as number, 4 * MB);
  const baseline = (await ask({ type: 'memory' })).rss as number;
  let peak = baseline;
  let done = false;
  const sampler = (async () => {
    while (!done) {
      peak = Math.max(peak, (await ask({ type: 'memory' })).rss as number);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  try {
    await work(port as number, size);
  } finally {
    done = true;
    await sampler;
  }
  return { baseline, peak };
}

test('a 100 MB upload to a slow upstream grows the worker process by less than 50 MB', { timeout: 120_000 }, async (t) => {
  const up = await startUpstream(t, (req, res) => {
    const size = Number(req.headers['content-length']);
    // Stall at the start and midway: a proxy without backpressure would buffer the upload meanwhile.
    req.pause();
    let seen = 0;
    let stalledMidway = false;
    req.on('data', (c: Buffer) => {
      seen += c.length;
      if (!stalledMidway && seen > size / 2) {
        stalledMidway = true;
        req.pause();
        setTimeout(() => req.resume(), 400);
      }
    });
    req.on('end', () => res.end(String(seen)));
    setTimeout(() => req.resume(), 400);
  });
  const { baseline, peak } = await measureWorkerRss(t, up.port, async (port, size) => {
    const p = payload(size);
    const res = await request(port, { method: 'POST', path: '/', headers: { 'content-length': size } }, p.stream());
    const body = await new Response(Readable.toWeb(res) as ReadableStream).text();
    assert.equal(body, String(size));
  }, 100 * MB);
  const growth = (peak - baseline) / MB;
  t.diagnostic(`worker RSS: baseline ${(baseline / MB).toFixed(1)} MB, peak ${(peak / MB).toFixed(1)} MB`);
  assert.ok(growth < 50, `worker RSS grew by ${growth.toFixed(1)} MB (baseline ${(baseline / MB).toFixed(1)} MB)`);
});

test('a 100 MB download to a slow client grows the worker process by less than 50 MB', { timeout: 120_000 }, async (t) => {
  const up = await startUpstream(t, (req, res) => {
    const size = Number(req.url?.slice(1));
    res.writeHead(200, { 'content-length': size });
    void pipeline(payload(size).stream(), res).catch(() => undefined);
  });
  const { baseline, peak } = await measureWorkerRss(t, up.port, async (port, size) => {
    const p = payload(size);
    const res = await request(port, { path: '/' + size });
    res.pause();
    await new Promise((r) => setTimeout(r, 400)); // a client that does not read for a while
    const got = await hashIncoming(res);
    assert.equal(got.sha, p.sha);
  }, 100 * MB);
  const growth = (peak - baseline) / MB;
  t.diagnostic(`worker RSS: baseline ${(baseline / MB).toFixed(1)} MB, peak ${(peak / MB).toFixed(1)} MB`);
  assert.ok(growth < 50, `worker RSS grew by ${growth.toFixed(1)} MB (baseline ${(baseline / MB).toFixed(1)} MB)`);
});
