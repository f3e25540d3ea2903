import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as api from '../src/index.js';

test('the public surface is exactly the documented list of exports', () => {
  assert.deepEqual(Object.keys(api).sort(), ['AUTH_DENY_REASONS', 'AUTH_PLUGIN_VERSION', 'authConfigSchema', 'authPlugin']);
});

test('deny reasons are frozen, unique snake_case strings', () => {
  assert.ok(Object.isFrozen(api.AUTH_DENY_REASONS));
  const reasons = Object.values(api.AUTH_DENY_REASONS);
  assert.equal(new Set(reasons).size, reasons.length);
  for (const reason of reasons) assert.match(reason, /^[a-z_]+$/);
});
