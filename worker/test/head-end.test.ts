import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findHeadEnd } from '../src/codec/http1/head-end.js';

test('findHeadEnd agrees with Buffer.indexOf on every position and near-miss', () => {
  const alphabet = ['\r', '\n', 'a', '\r\n', '\r\n\r', '\n\r\n'];
  let seed = 7;
  const rand = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  for (let k = 0; k < 5000; k++) {
    let s = '';
    while (s.length < 40) s += alphabet[rand(alphabet.length)];
    const buf = Buffer.from(s, 'latin1');
    const from = rand(10);
    const to = from + rand(buf.length - from + 1);
    const i = buf.subarray(0, to).indexOf('\r\n\r\n', from);
    assert.equal(findHeadEnd(buf, from, to), i === -1 ? -1 : i + 4, JSON.stringify({ s, from, to }));
  }
});

test('findHeadEnd finds the end of a typical head and ignores bytes past `to`', () => {
  const buf = Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\nbody\r\n\r\n');
  assert.equal(findHeadEnd(buf, 0, buf.length), 27);
  assert.equal(findHeadEnd(buf, 0, 26), -1);
});
