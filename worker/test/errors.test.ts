import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MosnWorkerError, WORKER_ERROR_CODES } from '../src/index.js';

test('error codes are a frozen list of unique MOSN_ERR_ strings', () => {
  assert.ok(Object.isFrozen(WORKER_ERROR_CODES));
  assert.equal(new Set(WORKER_ERROR_CODES).size, WORKER_ERROR_CODES.length);
  for (const code of WORKER_ERROR_CODES) assert.match(code, /^MOSN_ERR_[A-Z_]+$/);
});

test('MosnWorkerError carries its code and cause', () => {
  const cause = new Error('inner');
  const err = new MosnWorkerError('MOSN_ERR_LISTEN', 'listener "x" cannot listen', { cause });
  assert.equal(err.code, 'MOSN_ERR_LISTEN');
  assert.equal(err.cause, cause);
  assert.equal(err.name, 'MosnWorkerError');
  assert.ok(err instanceof Error);
});
