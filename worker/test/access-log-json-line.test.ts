import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ACCESS_LOG_VARIABLES } from '@mosn/config';
import { accessLogRowOf } from '@mosn/ipc-protocol';
import type { AccessLogRecord } from '@mosn/ipc-protocol';
import { createJsonLine } from '../src/access-log/json-line.js';

const render = createJsonLine();
// Records are the readable way to write a test's input; the renderer reads their rows.
const formatJsonLine = (record: AccessLogRecord): string => render(accessLogRowOf(record));

const FULL = {
  log: 0,
  startTime: Date.UTC(2024, 4, 1, 9, 30, 5, 7),
  requestReceivedDuration: 0.25,
  responseReceivedDuration: 12.3456789,
  duration: 15,
  bytesReceived: 120,
  bytesSent: 2048,
  protocol: 'HTTP/2',
  responseCode: 200,
  responseFlag: '',
  method: 'GET',
  path: '/a"b\n',
  requestId: 'req-1',
  upstreamHost: '10.0.0.2:8080',
  upstreamLocalAddress: '10.0.0.1:51000',
  downstreamLocalAddress: '127.0.0.1:2045',
  downstreamRemoteAddress: '192.168.1.9:40000',
};

test('a JSON line has every field, in a fixed order, with missing values as null', () => {
  const line = formatJsonLine(FULL);
  assert.ok(!line.includes('\n'), 'one record, one line');
  const parsed = JSON.parse(line) as Record<string, unknown>;
  // The MOSN variables in their order (config's access-log-format test pins that list itself).
  assert.deepEqual(Object.keys(parsed), [...ACCESS_LOG_VARIABLES]);
  assert.deepEqual(parsed, {
    start_time: '2024-05-01T09:30:05.007Z',
    request_received_duration: 0.25,
    response_received_duration: 12.346,
    duration: 15,
    bytes_sent: 2048,
    bytes_received: 120,
    protocol: 'HTTP/2',
    response_code: 200,
    response_flag: null,
    upstream_local_address: '10.0.0.1:51000',
    downstream_local_address: '127.0.0.1:2045',
    downstream_remote_address: '192.168.1.9:40000',
    upstream_host: '10.0.0.2:8080',
    request_method: 'GET',
    request_path: '/a"b\n',
    request_id: 'req-1',
  });
});

test('durations that did not happen, no status and empty strings are null; headers only when carried', () => {
  const parsed = JSON.parse(
    formatJsonLine({ ...FULL, responseReceivedDuration: -1, responseCode: 0, upstreamHost: '', requestHeaders: { 'x-id': '7' }, responseHeaders: {} }),
  ) as Record<string, unknown>;
  assert.equal(parsed['response_received_duration'], null);
  assert.equal(parsed['response_code'], null);
  assert.equal(parsed['upstream_host'], null);
  assert.deepEqual(parsed['request_headers'], { 'x-id': '7' });
  assert.deepEqual(parsed['response_headers'], {});
  assert.ok(!('request_headers' in (JSON.parse(formatJsonLine(FULL)) as object)));
});

test('start_time keeps its milliseconds across seconds, and a missing one is null', () => {
  const at = Date.UTC(2024, 11, 31, 23, 59, 59, 999);
  assert.equal((JSON.parse(formatJsonLine({ ...FULL, startTime: at })) as { start_time: string }).start_time, '2024-12-31T23:59:59.999Z');
  assert.equal((JSON.parse(formatJsonLine({ ...FULL, startTime: at + 2 })) as { start_time: string }).start_time, '2025-01-01T00:00:00.001Z');
  assert.equal((JSON.parse(formatJsonLine({ ...FULL, startTime: at + 52 })) as { start_time: string }).start_time, '2025-01-01T00:00:00.051Z');
  assert.equal((JSON.parse(formatJsonLine({ ...FULL, startTime: 0 })) as { start_time: null }).start_time, null);
});
