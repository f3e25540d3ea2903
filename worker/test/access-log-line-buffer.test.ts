import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineBuffer } from '../src/access-log/line-buffer.js';
import { textValue } from '../src/access-log/log-values.js';

function written(write: (out: LineBuffer) => void): string {
  const out = new LineBuffer();
  write(out);
  return out.take();
}

test('plain values are copied as they are, "-" when empty; non-ASCII characters as UTF-8', () => {
  assert.equal(written((o) => o.plain('GET')), 'GET');
  assert.equal(written((o) => o.plain('')), '-');
  for (const value of ['größe', '日本語 /x', 'a\u007fb', 'emoji 😀 end', 'a"b\\c']) assert.equal(written((o) => o.plain(value)), value);
});

test('escaped values are what textValue makes of them, ASCII or not', () => {
  const values = ['/orders?id=7', '', '/a"b\\c', 'x\ny\tz\u007f', '/café?q=日本', 'ü"x', '\u0000', '😀"', 'end\\'];
  for (const value of values) assert.equal(written((o) => o.escaped(value)), textValue(value), JSON.stringify(value));
  assert.equal(written((o) => o.escaped(undefined)), '-');
});

test('counts print as String() prints the truncated number; anything else is "-"', () => {
  const values = [0, 1, 9, 10, 99, 100, 999, 1000, 2 ** 31, 2 ** 32 + 7, 1e15 - 1, 1e15, 2 ** 53, 1e20, 12.9];
  for (let i = 0; i < 2000; i++) values.push(Math.floor(Math.random() * 10 ** (i % 16)));
  for (const value of values) assert.equal(written((o) => o.count(value)), String(Math.trunc(value)), String(value));
  for (const value of [-1, Number.NaN, Number.POSITIVE_INFINITY]) assert.equal(written((o) => o.count(value)), '-');
});

test('threeDigits pads to three', () => {
  for (let ms = 0; ms < 1000; ms++) assert.equal(written((o) => o.threeDigits(ms)), String(ms).padStart(3, '0'));
});

test('the buffer grows for long lines, truncate() forgets a half-written line, clear() starts afresh', () => {
  const out = new LineBuffer();
  const long = '/p'.repeat(30_000); // past the first 16 KiB
  out.plain('first ');
  out.escaped(long);
  out.byte(0x0a);
  const mark = out.length;
  out.plain('half a line');
  out.truncate(mark);
  assert.equal(out.take(), `first ${long}\n`);
  assert.equal(out.bytes().toString('utf8'), `first ${long}\n`, 'the same as bytes');
  out.clear();
  assert.equal(out.length, 0);
  const huge = 'x'.repeat(1_500_000); // past what a buffer keeps after clear()
  out.utf8(huge);
  assert.equal(out.take(), huge);
  out.clear();
  out.plain('after');
  assert.equal(out.take(), 'after');
  assert.deepEqual([...out.bytes()], [...Buffer.from('after')]);
});
