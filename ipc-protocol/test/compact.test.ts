import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeFrame } from '../src/index.js';
import {
  accessLogRecordOf,
  accessLogRowOf,
  compactCall,
  compactRateLimitResult,
  expandCall,
  expandRateLimitResult,
} from '../src/index.js';
import type { AccessLogRecord, BatchCall, RateLimitResult } from '../src/index.js';

const record: AccessLogRecord = {
  log: 1,
  startTime: 1_700_000_000_123,
  requestReceivedDuration: 0.25,
  responseReceivedDuration: 1.5,
  duration: 2.125,
  bytesReceived: 80,
  bytesSent: 220,
  protocol: 'HTTP/1.1',
  responseCode: 200,
  responseFlag: 'UF',
  method: 'GET',
  path: '/a?b=1',
  requestId: 'id-1',
  upstreamHost: '127.0.0.1:9000',
  upstreamLocalAddress: '',
  downstreamLocalAddress: '127.0.0.1:8000',
  downstreamRemoteAddress: '127.0.0.1:51000',
  requestHeaders: { 'user-agent': 'curl', 'x-a': 'b' },
  responseHeaders: { 'content-type': 'text/plain' },
};

test('an access log record survives the row form field for field', () => {
  assert.deepEqual(accessLogRecordOf(accessLogRowOf(record)), record);
  const { requestHeaders: _q, responseHeaders: _r, ...bare } = record;
  const back = accessLogRecordOf(accessLogRowOf(bare));
  assert.equal(back?.requestHeaders, undefined);
  assert.equal(back?.responseHeaders, undefined);
  assert.equal(back?.path, '/a?b=1');
});

test('a row is smaller on the wire than the record it stands for', () => {
  assert.ok(encodeFrame(accessLogRowOf(record)).length < encodeFrame(record).length / 2);
});

test('something that is not a row is not taken for a record', () => {
  assert.equal(accessLogRecordOf({ log: 0 }), undefined);
  assert.equal(accessLogRecordOf([0, 1, 2]), undefined);
  assert.equal(accessLogRecordOf(null), undefined);
});

test('request checks and rate limit calls survive the tuple form; plain calls keep their map form', () => {
  const check: BatchCall = {
    hook: 'checkRequest',
    params: { method: 'POST', path: '/x', authority: 'a.test', headers: { authorization: 'Bearer t', host: 'a.test' }, remoteAddress: '10.0.0.1', route: { virtualHost: 'vh', cluster: 'c' } },
  };
  assert.deepEqual(expandCall(compactCall(check)), check);
  const noRoute: BatchCall = { hook: 'checkRequest', params: { method: 'GET', path: '/', authority: '', headers: {}, remoteAddress: '' } };
  assert.deepEqual(expandCall(compactCall(noRoute)), noRoute);
  const limit: BatchCall = {
    hook: 'rateLimit',
    params: { domain: 'd', hitsAddend: 2, descriptors: [{ entries: [{ key: 'remote_address', value: '10.0.0.1' }, { key: 'path', value: '/x' }] }, { entries: [] }] },
  };
  assert.deepEqual(expandCall(compactCall(limit)), limit);
  const call: BatchCall = { hook: 'call', params: { header: { a: 'b' }, body: 'x' } } as unknown as BatchCall;
  assert.equal(compactCall(call), call);
  assert.deepEqual(expandCall(call), call);
});

test('a malformed tuple expands to a call without params, for the hook’s own checks to refuse', () => {
  assert.deepEqual(expandCall(['checkRequest', 'GET']), { hook: 'checkRequest', params: undefined });
  assert.deepEqual(expandCall([42]), { hook: '42', params: undefined });
});

test('rate limit results survive the tuple form, with and without a matched limit', () => {
  const result: RateLimitResult = {
    overallCode: 'OVER_LIMIT',
    statuses: [
      { code: 'OVER_LIMIT', limit: { requestsPerUnit: 10, unit: 'second', name: 'per-ip' }, limitRemaining: 0, durationUntilResetMs: 250 },
      { code: 'OK', limit: { requestsPerUnit: 5, unit: 'minute' }, limitRemaining: 4, durationUntilResetMs: 1000 },
      { code: 'OK', limitRemaining: 0, durationUntilResetMs: 0 },
    ],
  };
  assert.deepEqual(expandRateLimitResult(compactRateLimitResult(result)), result);
  assert.equal(expandRateLimitResult({ overallCode: 'OK' }), undefined);
  assert.equal(expandRateLimitResult(['OK', [1, 2]]), undefined);
});
