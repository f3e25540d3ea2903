import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResponseHead, parseResponseHead } from '../src/codec/http1/response-parser.js';

function parse(s: string): { err: number; h: ResponseHead } {
  const h = new ResponseHead();
  return { err: parseResponseHead(s, h, 100), h };
}

test('a response with Content-Length is parsed and kept alive', () => {
  const { err, h } = parse('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nX: y\r\n\r\n');
  assert.equal(err, 0);
  assert.equal(h.status, 200);
  assert.equal(h.reason, 'OK');
  assert.equal(h.contentLength, 3);
  assert.equal(h.keepAlive, true);
});

test('a chunked response keeps its Transfer-Encoding for passthrough', () => {
  const { err, h } = parse('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
  assert.equal(err, 0);
  assert.equal(h.chunked, true);
  assert.equal(h.fields.drop[0], false);
});

test('Connection: close and HTTP/1.0 without keep-alive make the upstream connection not reusable', () => {
  assert.equal(parse('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n').h.keepAlive, false);
  assert.equal(parse('HTTP/1.0 200 OK\r\n\r\n').h.keepAlive, false);
  assert.equal(parse('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\n').h.keepAlive, true);
});

test('hop-by-hop response fields, and those named by Connection, are dropped', () => {
  const { h } = parse('HTTP/1.1 200 OK\r\nConnection: keep-alive, X-Hop\r\nKeep-Alive: timeout=5\r\nX-Hop: 1\r\nUpgrade: h2c\r\nX-Kept: 1\r\n\r\n');
  const kept = h.fields.lnames.filter((_, i) => h.fields.drop[i] !== true);
  assert.deepEqual(kept, ['x-kept']);
});

test('a status line without a reason phrase is tolerated', () => {
  const { err, h } = parse('HTTP/1.1 204\r\n\r\n');
  assert.equal(err, 0);
  assert.equal(h.status, 204);
});

test('malformed status lines and framing conflicts are errors', () => {
  for (const bad of [
    'HTTP/1.1 20 OK\r\n\r\n',
    'HTTP/1.1 600 X\r\n\r\n',
    'HTTP/2 200 OK\r\n\r\n',
    'HTTP/1.1 200 OK\nX: 1\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n',
    'HTTP/1.1 200 OK\r\nX : 1\r\n\r\n',
  ]) {
    assert.notEqual(parse(bad).err, 0, JSON.stringify(bad));
  }
});
