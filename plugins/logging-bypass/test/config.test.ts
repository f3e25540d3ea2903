import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PLUGIN_SDK_ERROR_CODES } from '@mosn/plugin-sdk';
import type { PluginConfigError } from '@mosn/plugin-sdk';
import { createTestPlugin } from '@mosn/plugin-sdk/testing';
import { loggingBypassPlugin, parseByteSize } from '../src/index.js';

async function configError(config: unknown): Promise<PluginConfigError> {
  try {
    const plugin = await createTestPlugin(loggingBypassPlugin, { config });
    await plugin.close();
  } catch (error) {
    assert.equal((error as { code?: string }).code, PLUGIN_SDK_ERROR_CODES.configInvalid, String(error));
    return error as PluginConfigError;
  }
  assert.fail(`expected ${JSON.stringify(config)} to be refused`);
}

test('no config means MOSN roller defaults: 100MB, daily, keep 10, no compression', async (t) => {
  const plugin = await createTestPlugin(loggingBypassPlugin);
  t.after(() => plugin.close());
  assert.deepEqual(plugin.config, {
    rotation: { maxSize: 100 * 1024 * 1024, intervalMs: 24 * 3_600_000, keep: 10, maxAgeMs: undefined, compress: false },
    maxPending: 64 * 1024 * 1024,
  });
});

test('sizes and durations are read as the proxy config writes them', async (t) => {
  const plugin = await createTestPlugin(loggingBypassPlugin, {
    config: { rotation: { max_size: '512KB', interval: '1h30m', keep: 0, max_age: '240h', compress: true }, max_pending: 1_000_000 },
  });
  t.after(() => plugin.close());
  assert.deepEqual(plugin.config, {
    rotation: { maxSize: 512 * 1024, intervalMs: 5_400_000, keep: 0, maxAgeMs: 240 * 3_600_000, compress: true },
    maxPending: 1_000_000,
  });
  assert.equal(parseByteSize('1.5GiB'), 1.5 * 1024 ** 3);
  assert.equal(parseByteSize('10 m'), 10 * 1024 ** 2);
  assert.equal(parseByteSize('0'), 0);
  assert.equal(parseByteSize('10XB'), undefined);
  assert.equal(parseByteSize('-1MB'), undefined);
});

test('an invalid config is refused with the path and what was expected', async () => {
  const cases: [unknown, string, RegExp][] = [
    [{ rotation: { max_size: 'big' } }, 'rotation.max_size', /expected a size such as "100MB", "512KB" or a number of bytes, found "big"/],
    [{ rotation: { interval: '10' } }, 'rotation.interval', /expected a duration/],
    [{ rotation: { interval: '10ms' } }, 'rotation.interval', /expected "0" \(no rotation by time\) or at least "100ms"/],
    [{ rotation: { keep: -1 } }, 'rotation.keep', /./],
    [{ rotation: { keep: 1.5 } }, 'rotation.keep', /./],
    [{ rotation: { compress: 'yes' } }, 'rotation.compress', /./],
    [{ rotation: { maxSize: '1MB' } }, 'rotation', /maxSize/],
    [{ max_pending: 0 }, 'max_pending', /expected a size above 0/],
    [{ format: '%start_time%' }, '', /format/],
  ];
  for (const [config, path, message] of cases) {
    const error = await configError(config);
    const issue = error.issues.find((i) => i.path.join('.') === path);
    assert.ok(issue, `expected an issue at "${path}" for ${JSON.stringify(config)}, found ${JSON.stringify(error.issues)}`);
    assert.match(issue.message, message);
    if (path !== '') assert.match(error.message, new RegExp(`at ${path.replace('.', '\\.')}`));
  }
});
