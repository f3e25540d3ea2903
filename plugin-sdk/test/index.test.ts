import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as api from '../src/index.js';
import * as testing from '../src/testing.js';

test('the public surface is exactly the documented list of exports', () => {
  assert.deepEqual(Object.keys(api).sort(), ['PLUGIN_SDK_ERROR_CODES', 'PluginConfigError', 'PluginSdkError', 'ThrottledLog', 'duration', 'parseDuration', 'serve', 'z']);
  assert.deepEqual(Object.keys(testing).sort(), ['createTestPlugin', 'launchTestPlugin', 'waitFor']);
});

test('SDK error codes are frozen, unique and MOSN_ERR_PLUGIN_ prefixed', () => {
  assert.ok(Object.isFrozen(api.PLUGIN_SDK_ERROR_CODES));
  const codes = Object.values(api.PLUGIN_SDK_ERROR_CODES);
  assert.equal(new Set(codes).size, codes.length);
  for (const code of codes) assert.match(code, /^MOSN_ERR_PLUGIN_[A-Z_]+$/);
});

test('a PluginSdkError carries its code and cause', () => {
  const cause = new Error('root');
  const error = new api.PluginSdkError(api.PLUGIN_SDK_ERROR_CODES.hookFailed, 'failed', { cause });
  assert.equal(error.code, 'MOSN_ERR_PLUGIN_HOOK_FAILED');
  assert.equal(error.cause, cause);
  assert.equal(error.name, 'PluginSdkError');
});
