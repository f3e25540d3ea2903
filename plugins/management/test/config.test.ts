import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_ADMIN_ADDRESS, managementConfigSchema, parseAddress } from '../src/index.js';

test('the default config listens on MOSN\'s admin port, on loopback only, with a 1s interval', () => {
  const config = managementConfigSchema.parse({});
  assert.equal(DEFAULT_ADMIN_ADDRESS, '127.0.0.1:34901');
  assert.deepEqual(config.address, { text: '127.0.0.1:34901', host: '127.0.0.1', port: 34901 });
  assert.equal(config.interval, 1_000);
  assert.equal(config.admin_token, undefined);
});

test('addresses are host:port, with IPv6 in brackets', () => {
  assert.deepEqual(parseAddress('[::1]:0'), { text: '[::1]:0', host: '::1', port: 0 });
  assert.deepEqual(parseAddress('localhost:8080'), { text: 'localhost:8080', host: 'localhost', port: 8080 });
  for (const bad of ['127.0.0.1', ':34901', '127.0.0.1:65536', '::1:34901', '[nope]:1', '127.0.0.1:-1']) assert.equal(parseAddress(bad), undefined, bad);
});

test('bad values are refused with what was expected', () => {
  assert.throws(() => managementConfigSchema.parse({ interval: '0s' }), /expected a duration above 0/);
  assert.throws(() => managementConfigSchema.parse({ admin_token: '' }), /expected a non-empty token/);
  assert.throws(() => managementConfigSchema.parse({ port: 1 }), /port/);
});
