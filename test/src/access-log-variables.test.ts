import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ACCESS_LOG_VARIABLES as CONFIG_VARIABLES } from '@mosn/config';
import { ACCESS_LOG_VARIABLES as PLUGIN_VARIABLES } from '@mosn/plugin-logging-bypass';

// The config loader checks formats at load and the plugin renders them; the plugin is written
// with the SDK only (like a third-party plugin), so each keeps its own list: they must agree.
test('the config loader and the logging plugin accept the same access log variables', () => {
  assert.deepEqual([...PLUGIN_VARIABLES].sort(), [...CONFIG_VARIABLES].sort());
});
