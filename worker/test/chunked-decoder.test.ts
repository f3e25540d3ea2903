import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChunkedDecoder } from '../src/codec/http1/chunked-decoder.js';
import { parseErrorText } from '../src/codec/http1/parse-error.js';

/** Feeds `input` in pieces of `step` bytes; returns where the message ended (absolute) or the error text. */
function run(input: string, step = input.length, maxMeta = 1024): number | string {
  const buf = Buffer.from(input, 'latin1');
  const d = new ChunkedDecoder(maxMeta);
  for (let i = 0; i < buf.length; i += step) {
    const end = Math.min(buf.length, i + step);
    const r = d.execute(buf, i, end);
    if (r === -1) return parseErrorText(d.error || 23);
    if (d.done) return r;
  }
  return 'incomplete';
}

const VALID = '5\r\nhello\r\n1a;name=value;flag\r\n' + 'x'.repeat(26) + '\r\n0\r\nX-Trailer: t\r\nY: \r\n\r\n';

test('a valid chunked body ends at the same byte however the input is split', () => {
  const end = VALID.length;
  for (let step = 1; step <= VALID.length; step++) assert.equal(run(VALID, step), end, `step ${step}`);
});

test('the decoder stops at the end of the body and leaves pipelined bytes alone', () => {
  const next = 'GET / HTTP/1.1\r\n\r\n';
  assert.equal(run('3\r\nabc\r\n0\r\n\r\n' + next), 13);
});

test('upper- and lower-case hex sizes and leading zeros are accepted', () => {
  assert.equal(run('000A\r\n0123456789\r\n0\r\n\r\n'), 23);
  assert.equal(run('a\r\n0123456789\r\n00\r\n\r\n'), 21);
});

test('malformed chunk sizes are rejected', () => {
  for (const bad of ['g\r\n', '\r\n', ' 5\r\nhello\r\n0\r\n\r\n', '5 \r\nhello\r\n0\r\n\r\n', '-5\r\n', '0x5\r\n', '5\nhello\r\n0\r\n\r\n', '5\rhello']) {
    assert.match(String(run(bad)), /chunk size/, JSON.stringify(bad));
  }
});

test('a chunk size too large to be real is rejected', () => {
  assert.match(String(run('ffffffffffffffffff\r\n')), /chunk size/);
});

test('chunk data not followed by CRLF is rejected', () => {
  assert.match(String(run('5\r\nhelloX\r\n0\r\n\r\n')), /CRLF/);
  assert.match(String(run('5\r\nhello\n0\r\n\r\n')), /CRLF/);
  assert.match(String(run('5\r\nhello\r0\r\n\r\n')), /CRLF/);
});

test('control characters or a bare LF in a chunk extension are rejected', () => {
  assert.match(String(run('5;a=\x01\r\nhello\r\n0\r\n\r\n')), /extension/);
  assert.match(String(run('5;a\nb\r\nhello\r\n0\r\n\r\n')), /extension/);
});

test('malformed trailers are rejected', () => {
  assert.match(String(run('0\r\nBad Name: 1\r\n\r\n')), /trailer/);
  assert.match(String(run('0\r\nX: a\x00\r\n\r\n')), /trailer/);
  assert.match(String(run('0\r\nX: 1\n\r\n')), /trailer/);
  assert.match(String(run('0\r\n\n')), /trailer/);
});

test('chunk extensions and trailers beyond the limit are rejected', () => {
  assert.match(String(run('5;' + 'a'.repeat(100) + '\r\nhello\r\n0\r\n\r\n', 7, 50)), /too large/);
  assert.match(String(run('0\r\nX: ' + 'a'.repeat(100) + '\r\n\r\n', 3, 50)), /too large/);
});
