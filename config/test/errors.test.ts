import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONFIG_ERROR_CODES, ConfigError } from '../src/index.js';

test('CONFIG_ERROR_CODES is frozen and every code is a distinct MOSN_ERR_CONFIG_ string', () => {
  assert.ok(Object.isFrozen(CONFIG_ERROR_CODES));
  const codes = Object.values(CONFIG_ERROR_CODES);
  assert.equal(new Set(codes).size, codes.length);
  for (const code of codes) assert.match(code, /^MOSN_ERR_CONFIG_[A-Z_]+$/);
});

test('ConfigError carries code, file, cause and frozen issues', () => {
  const cause = new Error('inner');
  const issue = { file: 'a.yaml', line: 1, col: 2, path: 'servers', message: 'expected an array, found 1' };
  const err = new ConfigError(CONFIG_ERROR_CODES.INVALID, 'bad', { file: 'a.yaml', cause, issues: [issue] });
  assert.ok(err instanceof Error);
  assert.equal(err.name, 'ConfigError');
  assert.equal(err.code, 'MOSN_ERR_CONFIG_INVALID');
  assert.equal(err.file, 'a.yaml');
  assert.equal(err.cause, cause);
  assert.deepStrictEqual(err.issues, [issue]);
  assert.ok(Object.isFrozen(err.issues));
});

test('ConfigError.fromIssues writes a summary line and one file:line:col line per issue', () => {
  const err = ConfigError.fromIssues(CONFIG_ERROR_CODES.INVALID, 'x.yaml', [
    { file: 'x.yaml', line: 12, col: 9, path: 'servers[0].listeners[1].address', message: 'expected "host:port"' },
    { file: 'x.yaml', line: 1, col: 1, path: '', message: 'the file is empty' },
  ]);
  assert.equal(
    err.message,
    'config x.yaml is invalid (2 errors):\n  x.yaml:12:9 servers[0].listeners[1].address: expected "host:port"\n  x.yaml:1:1 the file is empty',
  );
});
