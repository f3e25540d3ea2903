import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REQUEST_HEAD, RESPONSE_HEAD } from '../src/codec/http1/head-syntax.js';
import { diagnoseRequestHead } from '../src/codec/http1/request-parser.js';
import { diagnoseResponseHead } from '../src/codec/http1/response-parser.js';

// The fast syntax check (one regular expression) and the byte-by-byte diagnosis that explains a
// rejection must agree on every head, or a request could be accepted by one and refused by the other.

const INTERESTING = ['\r', '\n', ' ', '\t', ':', '\x00', '\x7f', '\x80', '\xff', 'a', 'A', '/', '(', '"', '\x01', '1', '.'];

function mutations(base: string, count: number, seed: number): string[] {
  let x = seed;
  const rand = (n: number): number => (x = (x * 1103515245 + 12345) % 2 ** 31) % n;
  const out: string[] = [];
  const body = base.slice(0, -4); // mutate anything but the final CRLF CRLF (the head's end is found before parsing)
  for (let k = 0; k < count; k++) {
    let s = body;
    for (let m = 1 + rand(3); m > 0; m--) {
      const at = rand(s.length + 1);
      const ch = INTERESTING[rand(INTERESTING.length)] as string;
      const op = rand(3);
      s = op === 0 ? s.slice(0, at) + ch + s.slice(at) : op === 1 ? s.slice(0, at) + ch + s.slice(at + 1) : s.slice(0, at) + s.slice(at + 1);
    }
    out.push(s + '\r\n\r\n');
  }
  return out;
}

test('the request syntax check and its diagnosis agree on 20000 mutated heads', () => {
  const bases = [
    'GET /a?b=c HTTP/1.1\r\nHost: example.com\r\nX-Long: some value here\r\nEmpty:\r\n\r\n',
    'POST http://x/ HTTP/1.0\r\nContent-Length: 5\r\nA:b\r\n\r\n',
  ];
  let accepted = 0;
  for (const [i, base] of bases.entries()) {
    for (const s of mutations(base, 10_000, 11 + i)) {
      const fast = REQUEST_HEAD.test(s);
      const slow = diagnoseRequestHead(s) === 0;
      assert.equal(fast, slow, JSON.stringify(s));
      if (fast) accepted++;
    }
  }
  assert.ok(accepted > 1000, `too few valid mutations to mean anything (${accepted})`);
});

test('the response syntax check and its diagnosis agree on 20000 mutated heads', () => {
  const base = 'HTTP/1.1 200 OK\r\nServer: x\r\nContent-Length: 10\r\nX:  spaced  \r\n\r\n';
  for (const s of [...mutations(base, 20_000, 5), 'HTTP/1.1 204\r\n\r\n', 'HTTP/1.0 404 \r\n\r\n']) {
    assert.equal(RESPONSE_HEAD.test(s), diagnoseResponseHead(s) === 0, JSON.stringify(s));
  }
});

test('the syntax check stays linear on hostile heads', () => {
  const spaces = 'GET / HTTP/1.1\r\nX: ' + ' \t'.repeat(30_000) + '\x00\r\n\r\n';
  const many = 'GET / HTTP/1.1\r\n' + 'a:\r\n'.repeat(15_000) + 'b\r\n\r\n';
  for (const s of [spaces, many]) {
    const started = process.hrtime.bigint();
    assert.equal(REQUEST_HEAD.test(s), false);
    assert.ok(Number(process.hrtime.bigint() - started) / 1e6 < 1000, 'took too long: catastrophic backtracking?');
  }
});
