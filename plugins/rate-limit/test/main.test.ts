import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { launchTestPlugin } from '@mosn/plugin-sdk/testing';
import { RATE_LIMIT_PLUGIN_VERSION } from '../src/index.js';
import { hammer, inOneWindow } from './helpers/hammer.js';
import { edge } from './helpers/rate-limit.js';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));

test('concurrent clients hammering one limit of the executable get exactly the limit through', async (t) => {
  const plugin = await launchTestPlugin(MAIN, {
    name: 'rate-limit',
    config: edge([{ key: 'remote_address', rate_limit: { unit: 'hour', requests_per_unit: 50 } }]),
  });
  t.after(() => plugin.close());
  assert.equal(plugin.pluginVersion, RATE_LIMIT_PLUGIN_VERSION);
  assert.deepEqual(plugin.initializeResult.hooks, ['rateLimit']);

  const result = await inOneWindow(3_600_000, (attempt) =>
    hammer([plugin], 8, 30, { domain: 'edge', descriptors: [{ remote_address: `10.0.0.${attempt}` }] }),
  );
  assert.deepEqual(result, { ok: 50, over: 8 * 30 - 50 });
  assert.equal(await plugin.close(), 0);
});

test('the executable refuses an invalid config with the path of the problem', async () => {
  await assert.rejects(
    launchTestPlugin(MAIN, { name: 'rate-limit', config: edge([{ key: 'remote_address', rate_limit: { unit: 'second', requests_per_unit: 1.5 } }]) }),
    /expected a whole number of requests\s+→ at domains\[0\]\.descriptors\[0\]\.rate_limit\.requests_per_unit/,
  );
});
