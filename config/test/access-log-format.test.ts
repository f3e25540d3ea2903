import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ACCESS_LOG_VARIABLES, parseLogFormat } from '../src/index.js';

test('the variable list is exactly the MOSN set, frozen', () => {
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

test('formats parse into literal, variable and header tokens; headers are named lower-case', () => {
  const parsed = parseLogFormat('%start_time% - %REQ.X-Id%!%RESP.Content-Type%%REQ.x-id%');
  assert.deepEqual(parsed.tokens, [
    { kind: 'variable', name: 'start_time' },
    { kind: 'literal', text: ' - ' },
    { kind: 'header', source: 'request', name: 'x-id' },
    { kind: 'literal', text: '!' },
    { kind: 'header', source: 'response', name: 'content-type' },
    { kind: 'header', source: 'request', name: 'x-id' },
  ]);
  assert.deepEqual(parsed.requestHeaders, ['x-id'], 'each header once');
  assert.deepEqual(parsed.responseHeaders, ['content-type']);
  assert.deepEqual(parseLogFormat('no variables').tokens, [{ kind: 'literal', text: 'no variables' }]);
  assert.deepEqual(parseLogFormat('%request_method%\t%request_path%').tokens[1], { kind: 'literal', text: '\t' }, 'tab-separated logs are fine');
});

test('an invalid format is refused with what was expected, what was found and where', () => {
  const cases: [string, RegExp][] = [
    ['%start_time% %StartTime%', /^expected one of %start_time%, .*%REQ.<header>% or %RESP.<header>% at column 14, found %StartTime%$/],
    ['%duration', /^expected a closing "%" for the variable opened at column 1, found the end of the format$/],
    ['100%% done', /found "%%" \(an empty variable; a literal "%" cannot be written\)$/],
    ['%REQ.%', /^expected an HTTP header name after REQ\. at column 1, found ""$/],
    ['%RESP.a b%', /^expected an HTTP header name after RESP\. at column 1, found "a b"$/],
    ['%req.x%', /found %req\.x%$/],
    ['%request_path%\n%response_code%', /^expected a format without line breaks or control characters, found "\\n" at column 15$/],
    ['a\rb', /found "\\r" at column 2$/],
  ];
  for (const [format, message] of cases) assert.throws(() => parseLogFormat(format), { message }, format);
});
