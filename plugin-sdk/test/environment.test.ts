import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PLUGIN_ENV, PLUGIN_MAGIC_COOKIE } from '@mosn/ipc-protocol';
import { NOT_LAUNCHED_MESSAGE, readEnvironment } from '../src/environment.js';
import { PLUGIN_SDK_ERROR_CODES } from '../src/index.js';

const launched = {
  [PLUGIN_ENV.magicCookie]: PLUGIN_MAGIC_COOKIE,
  [PLUGIN_ENV.protocolVersions]: '1',
  [PLUGIN_ENV.socket]: '/run/mosn/p/auth.sock',
  [PLUGIN_ENV.secret]: 's3cret',
  [PLUGIN_ENV.name]: 'auth',
};

test('the launch environment is read into socket, secret, name and protocol version', () => {
  assert.deepEqual(readEnvironment(launched), {
    socketPath: '/run/mosn/p/auth.sock',
    secret: 's3cret',
    name: 'auth',
    protocolVersion: 1,
    logLevel: 'info',
  });
  assert.equal(readEnvironment({ ...launched, [PLUGIN_ENV.protocolVersions]: '2, 1', [PLUGIN_ENV.logLevel]: 'debug' }).logLevel, 'debug');
});

test('without the magic cookie the process was started by hand', () => {
  assert.throws(() => readEnvironment({}), { code: PLUGIN_SDK_ERROR_CODES.notLaunched, message: NOT_LAUNCHED_MESSAGE });
  assert.throws(() => readEnvironment({ ...launched, [PLUGIN_ENV.magicCookie]: 'other' }), { code: PLUGIN_SDK_ERROR_CODES.notLaunched });
});

test('an incomplete or incompatible environment says what is missing', () => {
  const without = (key: string) => Object.fromEntries(Object.entries(launched).filter(([k]) => k !== key));
  assert.throws(() => readEnvironment(without(PLUGIN_ENV.secret)), { code: PLUGIN_SDK_ERROR_CODES.environment, message: /expected MOSN_PLUGIN_SECRET/ });
  assert.throws(() => readEnvironment(without(PLUGIN_ENV.name)), { message: /expected MOSN_PLUGIN_NAME/ });
  assert.throws(() => readEnvironment({ ...launched, [PLUGIN_ENV.socket]: 'rel.sock' }), { message: /absolute path, found "rel.sock"/ });
  assert.throws(() => readEnvironment({ ...launched, [PLUGIN_ENV.protocolVersions]: '2' }), {
    message: /expected MOSN_PLUGIN_PROTOCOL_VERSIONS to offer plugin protocol version 1, found "2"/,
  });
  assert.throws(() => readEnvironment({ ...launched, [PLUGIN_ENV.logLevel]: 'loud' }), { message: /MOSN_PLUGIN_LOG_LEVEL/ });
});
