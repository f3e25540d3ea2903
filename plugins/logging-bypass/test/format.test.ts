import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AccessLogRecord } from '@mosn/plugin-sdk';
import { ACCESS_LOG_ERROR_CODES, ACCESS_LOG_VARIABLES, compileAccessLogFormat, parseAccessLogFormat } from '../src/index.js';
import { FormatCache } from '../src/format.js';

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

test('the variable list is exactly the MOSN set the config loader accepts', () => {
  assert.deepEqual(
    [...ACCESS_LOG_VARIABLES],
    [
      'start_time',
      'request_received_duration',
      'response_received_duration',
      'duration',
      'bytes_sent',
      'bytes_received',
      'protocol',
      'response_code',
      'response_flag',
      'upstream_local_address',
      'downstream_local_address',
      'downstream_remote_address',
      'upstream_host',
      'request_method',
      'request_path',
      'request_id',
    ],
  );
  assert.ok(Object.isFrozen(ACCESS_LOG_VARIABLES));
});

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

test('formats parse into literal, variable and header tokens', () => {
  assert.deepEqual(parseAccessLogFormat('%start_time% - %REQ.X-Id%!'), [
    { kind: 'variable', name: 'start_time' },
    { kind: 'literal', text: ' - ' },
    { kind: 'header', source: 'request', name: 'x-id' },
    { kind: 'literal', text: '!' },
  ]);
});

test('an invalid format is refused with what was expected, what was found and where', () => {
  const cases: [string, RegExp][] = [
    ['%start_time% %StartTime%', /expected one of %start_time%, .*%REQ.<header>% or %RESP.<header>% at column 14, found %StartTime%/],
    ['%duration', /expected a closing "%" for the variable opened at column 1, found the end of the format/],
    ['100%% done', /found "%%" \(an empty variable; a literal "%" cannot be written\)/],
    ['%REQ.%', /expected an HTTP header name after REQ\. at column 1, found ""/],
    ['%RESP.a b%', /expected an HTTP header name after RESP\. at column 1, found "a b"/],
    ['%req.x%', /found %req\.x%/],
  ];
  for (const [format, message] of cases) {
    assert.throws(() => compileAccessLogFormat(format), { code: ACCESS_LOG_ERROR_CODES.formatInvalid, message }, format);
  }
});

test('each format is compiled once; a broken one is cached as its error', () => {
  const cache = new FormatCache();
  const a = cache.get('%request_path%');
  assert.equal(cache.get('%request_path%'), a);
  assert.equal(cache.get(undefined), cache.get(''), 'no format and "" are both JSON lines');
  const broken = cache.get('%nope%');
  assert.ok(broken instanceof Error);
  assert.equal(cache.get('%nope%'), broken);
  assert.equal(cache.size, 3);
});
