import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ACCESS_LOG_VARIABLES, parseLogFormat } from '@mosn/config';
import { accessLogRowOf } from '@mosn/ipc-protocol';
import type { AccessLogRecord } from '@mosn/ipc-protocol';
import { lineWriterFor, renderLine } from '../src/access-log/log-line.js';
import { compileTextLine } from '../src/access-log/text-line.js';
import { durationDigits } from '../src/access-log/log-values.js';

// Records are the readable way to write a test's input; the renderer reads their rows.
function compileAccessLogFormat(format: string): (record: AccessLogRecord) => string {
  const write = compileTextLine(parseLogFormat(format).tokens);
  return (record) => renderLine(write, accessLogRowOf(record));
}

const START = new Date(2024, 4, 1, 9, 30, 5, 7).getTime(); // local time

function record(overrides: Partial<AccessLogRecord> = {}): AccessLogRecord {
  return {
    log: 0,
    startTime: START,
    requestReceivedDuration: 0.25,
    responseReceivedDuration: 12.3456789,
    duration: 15,
    bytesReceived: 120,
    bytesSent: 2048,
    protocol: 'HTTP/1.1',
    responseCode: 503,
    responseFlag: 'UF',
    method: 'POST',
    path: '/orders?id=7',
    requestId: 'req-42',
    upstreamHost: '10.0.0.2:8080',
    upstreamLocalAddress: '10.0.0.1:51000',
    downstreamLocalAddress: '127.0.0.1:2045',
    downstreamRemoteAddress: '192.168.1.9:40000',
    requestHeaders: { 'user-agent': 'curl/8.5.0', 'x-team': 'payments' },
    responseHeaders: { 'content-type': 'application/json' },
    ...overrides,
  };
}

test('every variable renders its record field', () => {
  const format = ACCESS_LOG_VARIABLES.map((v) => `%${v}%`).join('|');
  assert.equal(
    compileAccessLogFormat(format)(record()),
    [
      '2024/05/01 09:30:05.007',
      '0.25',
      '12.346',
      '15',
      '2048',
      '120',
      'HTTP/1.1',
      '503',
      'UF',
      '10.0.0.1:51000',
      '127.0.0.1:2045',
      '192.168.1.9:40000',
      '10.0.0.2:8080',
      'POST',
      '/orders?id=7',
      'req-42',
    ].join('|'),
  );
});

test('missing values print "-"', () => {
  const format = `${ACCESS_LOG_VARIABLES.map((v) => `%${v}%`).join(' ')} %REQ.x-missing% %RESP.x-missing%`;
  const empty = record({
    startTime: 0,
    requestReceivedDuration: -1,
    responseReceivedDuration: -1,
    duration: -1,
    responseCode: 0,
    protocol: '',
    responseFlag: '',
    method: '',
    path: '',
    requestId: '',
    upstreamHost: '',
    upstreamLocalAddress: '',
    downstreamLocalAddress: '',
    downstreamRemoteAddress: '',
  });
  const { responseHeaders: _drop, ...withoutResponseHeaders } = empty;
  assert.equal(
    compileAccessLogFormat(format)(withoutResponseHeaders),
    // bytes are 0, not missing
    ['-', '-', '-', '-', '2048', '120', '-', '-', '-', '-', '-', '-', '-', '-', '-', '-', '-', '-'].join(' '),
  );
  assert.equal(compileAccessLogFormat('%bytes_sent% %bytes_received%')(record({ bytesSent: 0, bytesReceived: 0 })), '0 0');
});

test('request and response headers are looked up by lower-case name', () => {
  const render = compileAccessLogFormat('%REQ.User-Agent% %REQ.x-team% %RESP.Content-Type% %RESP.x-none%');
  assert.equal(render(record()), 'curl/8.5.0 payments application/json -');
});

test('literal text between variables is kept as written', () => {
  const render = compileAccessLogFormat('[%start_time%] "%request_method% %request_path% %protocol%" %response_code% %duration%ms ua="%REQ.user-agent%"');
  assert.equal(render(record()), '[2024/05/01 09:30:05.007] "POST /orders?id=7 HTTP/1.1" 503 15ms ua="curl/8.5.0"');
  assert.equal(compileAccessLogFormat('no variables at all')(record()), 'no variables at all');
  assert.equal(compileAccessLogFormat('')(record()), '');
});

test('one-character literals are written as they are, ASCII or not', () => {
  const render = compileAccessLogFormat('%request_method%~%response_code%é%bytes_sent%€%REQ.x-team%"');
  assert.equal(render(record()), 'POST~503é2048€payments"');
  assert.equal(compileAccessLogFormat('-')(record()), '-');
});

test('quotes, backslashes and control characters in values are written as \\xHH, one record per line', () => {
  const render = compileAccessLogFormat('%request_path% %REQ.user-agent%');
  assert.equal(render(record({ path: '/a"b\\c', requestHeaders: { 'user-agent': 'x\ny\tz\u007f' } })), '/a\\x22b\\x5Cc x\\x0Ay\\x09z\\x7F');
});

test('start_time keeps milliseconds across seconds (the per-second cache is per format)', () => {
  const render = compileAccessLogFormat('%start_time%');
  assert.equal(render(record({ startTime: START + 999 })), '2024/05/01 09:30:06.006');
  assert.equal(render(record({ startTime: START })), '2024/05/01 09:30:05.007');
  assert.equal(render(record({ startTime: START + 1.9 })), '2024/05/01 09:30:05.008');
});

test('a log without a format is JSON lines; with one, its text', () => {
  const row = accessLogRowOf(record());
  assert.equal((JSON.parse(renderLine(lineWriterFor(undefined), row)) as { request_path: string }).request_path, '/orders?id=7');
  assert.equal(renderLine(lineWriterFor('%request_method% %request_path%'), row), 'POST /orders?id=7');
});

test('durations print as String() prints them rounded to microseconds, without printing a double', () => {
  const values = [0, 0.0004, 0.0005, 0.25, 0.9995, 1, 12.3456789, 15, 99.99949, 1234.5, 2 ** 31 / 1000 + 0.001, 86_400_000.125];
  for (let i = 0; i < 2000; i++) values.push(Math.random() * 10 ** (i % 7));
  for (const v of values) assert.equal(durationDigits(v), String(Math.round(v * 1000) / 1000), String(v));
  assert.equal(durationDigits(-1), undefined);
  assert.equal(durationDigits(Number.NaN), undefined);
});

test('durations written into a line are the durationDigits text', () => {
  const render = compileAccessLogFormat('%duration%');
  const values = [0, 0.0004, 0.0005, 0.25, 0.9995, 1, 12.3456789, 99.99949, 86_400_000.125];
  for (let i = 0; i < 2000; i++) values.push(Math.random() * 10 ** (i % 7));
  for (const v of values) assert.equal(render(record({ duration: v })), durationDigits(v), String(v));
});

test('non-ASCII text in the format and in values comes out as written (UTF-8 on the wire)', () => {
  const render = compileAccessLogFormat('größe=%bytes_sent% pfad=%request_path% ua=%REQ.user-agent%');
  assert.equal(render(record({ path: '/café?q=日本', requestHeaders: { 'user-agent': 'ü"x 😀' } })), 'größe=2048 pfad=/café?q=日本 ua=ü\\x22x 😀');
});
