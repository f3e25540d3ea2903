import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseErrorStatus, parseErrorText } from '../src/codec/http1/parse-error.js';
import { BodyKind, RequestHead, parseRequestHead } from '../src/codec/http1/request-parser.js';

function parse(head: string): { err: number; h: RequestHead } {
  const h = new RequestHead();
  const err = parseRequestHead(head, h, 100);
  return { err, h };
}

function ok(head: string): RequestHead {
  const { err, h } = parse(head);
  assert.equal(err, 0, err === 0 ? '' : `expected success, got ${parseErrorText(err as never)} for ${JSON.stringify(head)}`);
  return h;
}

function rejected(head: string, status = 400): string {
  const { err } = parse(head);
  assert.notEqual(err, 0, `expected a rejection for ${JSON.stringify(head)}`);
  assert.equal(parseErrorStatus(err as never), status, `status for ${JSON.stringify(head)}: ${parseErrorText(err as never)}`);
  return parseErrorText(err as never);
}

describe('request parser accepts valid requests', () => {
  test('a simple GET gives method, path, authority and keep-alive', () => {
    const h = ok('GET /a/b?c=d HTTP/1.1\r\nHost: Example.com:8080\r\nUser-Agent: t\r\n\r\n');
    assert.equal(h.method, 'GET');
    assert.equal(h.path, '/a/b?c=d');
    assert.equal(h.authority, 'Example.com:8080');
    assert.equal(h.minor, 1);
    assert.equal(h.keepAlive, true);
    assert.equal(h.bodyKind, BodyKind.NONE);
    assert.equal(h.fields.get('user-agent'), 't');
  });

  test('header names keep their case, lookups are by lower-case name, values are trimmed of OWS', () => {
    const h = ok('GET / HTTP/1.1\r\nHost: a\r\nX-Custom-Thing: \t value with  inner space \t\r\nEmpty:\r\n\r\n');
    const i = h.fields.lnames.indexOf('x-custom-thing');
    assert.equal(h.fields.names[i], 'X-Custom-Thing');
    assert.equal(h.fields.values[i], 'value with  inner space');
    assert.equal(h.fields.get('empty'), '');
  });

  test('obs-text (bytes 0x80-0xff) is allowed in header values', () => {
    const h = ok('GET / HTTP/1.1\r\nHost: a\r\nX: caf\xe9\r\n\r\n');
    assert.equal(h.fields.get('x'), 'caf\xe9');
  });

  test('HTTP/1.0 without Host is accepted and not kept alive unless asked', () => {
    assert.equal(ok('GET / HTTP/1.0\r\n\r\n').keepAlive, false);
    assert.equal(ok('GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n').keepAlive, true);
  });

  test('Connection: close ends keep-alive, and the fields it names are dropped', () => {
    const h = ok('GET / HTTP/1.1\r\nHost: a\r\nX-Hop: 1\r\nConnection: close, X-Hop\r\nX-End: 2\r\n\r\n');
    assert.equal(h.keepAlive, false);
    const forwarded = h.fields.lnames.filter((_, i) => h.fields.drop[i] !== true);
    assert.deepEqual(forwarded, ['host', 'x-end']);
  });

  test('hop-by-hop fields are marked as not forwarded', () => {
    const h = ok(
      'GET / HTTP/1.1\r\nHost: a\r\nKeep-Alive: 5\r\nProxy-Connection: x\r\nTE: trailers, deflate\r\nTrailer: X\r\nUpgrade: websocket\r\nConnection: upgrade\r\nX-Kept: 1\r\n\r\n',
    );
    const forwarded = h.fields.lnames.filter((_, i) => h.fields.drop[i] !== true);
    assert.deepEqual(forwarded, ['host', 'x-kept']);
    assert.equal(h.teTrailers, true);
    assert.equal(h.upgrade, true);
  });

  test('an absolute-form target gives the authority and the origin-form path', () => {
    const h = ok('GET http://Other.Example:81/p?q HTTP/1.1\r\nHost: ignored\r\n\r\n');
    assert.equal(h.authority, 'Other.Example:81');
    assert.equal(h.path, '/p?q');
    assert.equal(ok('GET http://x.example HTTP/1.1\r\nHost: x\r\n\r\n').path, '/');
    assert.equal(ok('GET http://x.example?a=1 HTTP/1.1\r\nHost: x\r\n\r\n').path, '/?a=1');
  });

  test('OPTIONS * is accepted', () => {
    assert.equal(ok('OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n').path, '*');
  });

  test('Content-Length gives a fixed body; 0 gives none but is remembered', () => {
    const h = ok('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0012\r\n\r\n');
    assert.equal(h.bodyKind, BodyKind.FIXED);
    assert.equal(h.contentLength, 12);
    const z = ok('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n');
    assert.equal(z.bodyKind, BodyKind.NONE);
    assert.equal(z.contentLength, 0);
  });

  test('Transfer-Encoding ending in chunked gives a chunked body, whatever the case', () => {
    assert.equal(ok('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n').bodyKind, BodyKind.CHUNKED);
    const h = ok('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n');
    assert.equal(h.bodyKind, BodyKind.CHUNKED);
    assert.equal(h.transferEncoding, 'gzip, chunked');
  });

  test('X-Forwarded-For values are collected, X-Request-Id kept, Expect: 100-continue seen', () => {
    const h = ok('GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.1.1.1\r\nX-Forwarded-For: 2.2.2.2\r\nX-Request-Id: abc\r\nExpect: 100-Continue\r\n\r\n');
    assert.equal(h.forwardedFor, '1.1.1.1, 2.2.2.2');
    assert.equal(h.requestId, 'abc');
    assert.equal(h.expectContinue, true);
  });

  test('a later HTTP/1.x minor version is treated as HTTP/1.1', () => {
    assert.equal(ok('GET / HTTP/1.2\r\nHost: a\r\n\r\n').minor, 1);
  });

  test('the same RequestHead object is reused without leaking state between requests', () => {
    const h = new RequestHead();
    assert.equal(parseRequestHead('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nX-Request-Id: r\r\n\r\n', h, 100), 0);
    assert.equal(parseRequestHead('GET / HTTP/1.1\r\nHost: b\r\n\r\n', h, 100), 0);
    assert.equal(h.bodyKind, BodyKind.NONE);
    assert.equal(h.contentLength, -1);
    assert.equal(h.requestId, '');
    assert.equal(h.fields.length, 1);
  });
});

describe('request parser rejects request smuggling vectors', () => {
  test('two Content-Length headers, even equal ones', () => {
    rejected('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n');
    rejected('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n');
  });

  test('a Content-Length list or a non-decimal Content-Length', () => {
    for (const v of ['5, 5', '+5', '-1', '5a', '0x10', '', '1 2', '1234567890123456']) {
      rejected(`POST / HTTP/1.1\r\nHost: a\r\nContent-Length: ${v}\r\n\r\n`);
    }
  });

  test('Content-Length together with Transfer-Encoding, in either order', () => {
    rejected('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n');
    rejected('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n');
  });

  test('a Transfer-Encoding whose final coding is not chunked', () => {
    for (const v of ['gzip', 'chunked, gzip', 'chunked, chunked', 'identity', 'chunked;q=1', '', 'xchunked', 'chunked x']) {
      rejected(`POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ${v}\r\n\r\n`);
    }
  });

  test('two Transfer-Encoding headers', () => {
    rejected('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n');
  });

  test('Transfer-Encoding in an HTTP/1.0 request', () => {
    rejected('POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n');
  });

  test('obs-fold (a header line starting with whitespace)', () => {
    rejected('GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n');
    rejected('GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n\t2\r\n\r\n');
  });

  test('bare LF or bare CR anywhere in the head', () => {
    rejected('GET / HTTP/1.1\nHost: a\r\n\r\n');
    rejected('GET / HTTP/1.1\r\nHost: a\nX: 1\r\n\r\n');
    rejected('GET / HTTP/1.1\r\nHost: a\rX: 1\r\n\r\n');
    rejected('GET / HTTP/1.1\r\nHost: a\r\nX: 1\r2\r\n\r\n');
    rejected('GET / HTTP/1.1\rHost: a\r\n\r\n');
  });

  test('whitespace between a header name and the colon', () => {
    assert.match(rejected('GET / HTTP/1.1\r\nHost: a\r\nContent-Length : 5\r\n\r\n'), /whitespace/);
    rejected('GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding\t: chunked\r\n\r\n');
  });

  test('invalid header names and values', () => {
    rejected('GET / HTTP/1.1\r\nHost: a\r\n: empty\r\n\r\n');
    rejected('GET / HTTP/1.1\r\nHost: a\r\nBad(Name): 1\r\n\r\n');
    rejected('GET / HTTP/1.1\r\nHost: a\r\nNo colon here\r\n\r\n');
    rejected('GET / HTTP/1.1\r\nHost: a\r\nX\xe9: 1\r\n\r\n');
    rejected('GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n');
    rejected('GET / HTTP/1.1\r\nHost: a\r\nX: a\x7fb\r\n\r\n');
    rejected('GET / HTTP/1.1\r\nHost: a\r\nX: a\x1bb\r\n\r\n');
  });

  test('invalid method, target or version', () => {
    rejected('G@T / HTTP/1.1\r\nHost: a\r\n\r\n');
    rejected(' GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    rejected('GET  / HTTP/1.1\r\nHost: a\r\n\r\n');
    rejected('GET /a b HTTP/1.1\r\nHost: a\r\n\r\n');
    rejected('GET /a\x01 HTTP/1.1\r\nHost: a\r\n\r\n');
    rejected('GET /caf\xe9 HTTP/1.1\r\nHost: a\r\n\r\n');
    rejected('GET foo HTTP/1.1\r\nHost: a\r\n\r\n');
    rejected('GET * HTTP/1.1\r\nHost: a\r\n\r\n');
    rejected('GET ftp://a/ HTTP/1.1\r\nHost: a\r\n\r\n');
    rejected('GET http://user@a/ HTTP/1.1\r\nHost: a\r\n\r\n');
    rejected('GET / HTTP/1\r\nHost: a\r\n\r\n');
    rejected('GET / http/1.1\r\nHost: a\r\n\r\n');
    rejected('GET / HTTP/1.1 \r\nHost: a\r\n\r\n');
    rejected('GET /\r\nHost: a\r\n\r\n');
    rejected('GET / HTTP/2.0\r\nHost: a\r\n\r\n', 505);
  });

  test('a missing, duplicate or invalid Host in HTTP/1.1', () => {
    assert.match(rejected('GET / HTTP/1.1\r\nX: 1\r\n\r\n'), /Host/);
    rejected('GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n');
    rejected('GET / HTTP/1.1\r\nHost: a/b\r\n\r\n');
    rejected('GET / HTTP/1.1\r\nHost: a@b\r\n\r\n');
  });

  test('CONNECT is refused as not implemented', () => {
    rejected('CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n', 501);
  });

  test('more header fields than the limit is 431', () => {
    const h = new RequestHead();
    const many = 'GET / HTTP/1.1\r\nHost: a\r\n' + 'X: 1\r\n'.repeat(10) + '\r\n';
    const err = parseRequestHead(many, h, 5);
    assert.equal(parseErrorStatus(err as never), 431);
  });
});
