import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTestPlugin } from '@mosn/plugin-sdk/testing';
import { DEFAULT_KEY_PREFIX, rateLimitPlugin } from '../src/index.js';
import { edge } from './helpers/rate-limit.js';

interface ConfigError {
  code: string;
  message: string;
  issues: { path: (string | number)[]; message: string }[];
}

async function refused(config: unknown): Promise<ConfigError> {
  try {
    const plugin = await createTestPlugin(rateLimitPlugin, { config });
    await plugin.close();
  } catch (error) {
    assert.equal((error as ConfigError).code, 'MOSN_ERR_PLUGIN_CONFIG_INVALID');
    return error as ConfigError;
  }
  assert.fail(`expected the config to be refused: ${JSON.stringify(config)}`);
}

const paths = (error: ConfigError) => error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);

test('an invalid limit is refused with zod\'s message at the path of the problem', async () => {
  const error = await refused(
    edge([{ key: 'path', value: '/login', descriptors: [{ key: 'remote_address', rate_limit: { unit: 'fortnight', requests_per_unit: -1 } }] }]),
  );
  assert.deepEqual(paths(error), [
    'domains.0.descriptors.0.descriptors.0.rate_limit.unit: expected one of second, minute, hour, day, found "fortnight"',
    'domains.0.descriptors.0.descriptors.0.rate_limit.requests_per_unit: expected 0 or more requests per unit',
  ]);
  assert.match(error.message, /→ at domains\[0\]\.descriptors\[0\]\.descriptors\[0\]\.rate_limit\.unit/);
});

test('shapes: no domains, a missing key, a number as requests, an unknown key', async () => {
  assert.deepEqual(paths(await refused({ domains: [] })), ['domains: expected at least one domain with its descriptors']);
  assert.deepEqual(paths(await refused({})), ['domains: Invalid input: expected array, received undefined']);
  const error = await refused(edge([{ value: 'x', rate_limit: { unit: 'second', requests_per_unit: '10' } } as never, { key: 'k', limit: 3 } as never]));
  assert.deepEqual(paths(error), [
    'domains.0.descriptors.0.key: Invalid input: expected string, received undefined',
    'domains.0.descriptors.0.rate_limit.requests_per_unit: expected a whole number of requests, found "10"',
    'domains.0.descriptors.1: Unrecognized key: "limit"',
  ]);
});

test('duplicate domains and duplicate siblings are refused, as Envoy\'s service refuses them', async () => {
  const error = await refused({
    domains: [
      { domain: 'edge', descriptors: [{ key: 'a' }, { key: 'a', value: 'x' }, { key: 'a', value: 'x' }, { key: 'a' }] },
      { domain: 'edge', descriptors: [] },
    ],
  });
  assert.deepEqual(paths(error), [
    'domains.0.descriptors.2: expected one descriptor per key and value, found a second one with key "a" and value "x" (first at index 1)',
    'domains.0.descriptors.3: expected one descriptor per key and value, found a second one with key "a" without a value (first at index 0)',
    'domains.1.domain: expected each domain once, found "edge" again (first at index 0)',
  ]);
});

test('Envoy features not supported yet are refused with a message that says so', async () => {
  const error = await refused(
    edge([
      { key: 'a', shadow_mode: true, rate_limit: { unit: 'second', requests_per_unit: 1, unlimited: true } } as never,
      { key: 'b', value: 'pre*' },
      { key: 'c', rate_limit: { unit: 'month', requests_per_unit: 1 } },
      { key: 'd', value: '' },
    ]),
  );
  assert.deepEqual(paths(error), [
    'domains.0.descriptors.0.rate_limit.unlimited: "unlimited" (leave "rate_limit" out of the descriptor for no limit) is not supported yet; remove it',
    'domains.0.descriptors.0.shadow_mode: "shadow_mode" is not supported yet; remove it',
    'domains.0.descriptors.1.value: prefix wildcards ("value*") are not supported yet; leave "value" out to match any value of the key',
    'domains.0.descriptors.2.rate_limit.unit: expected one of second, minute, hour, day ("month" is not supported yet), found "month"',
    'domains.0.descriptors.3.value: expected a non-empty value; leave "value" out to match any value of the key',
  ]);
});

test('backend and redis settings must agree; redis settings are checked', async () => {
  assert.deepEqual(paths(await refused(edge([], { backend: 'redis' }))), ['redis: expected "redis" settings (at least "url") with backend "redis", found none']);
  assert.deepEqual(paths(await refused(edge([], { redis: { url: 'redis://127.0.0.1' } }))), [
    'backend: expected backend "redis" when "redis" settings are given, found "memory"',
  ]);
  assert.deepEqual(paths(await refused(edge([], { backend: 'disk' as never }))), ['backend: expected "memory" or "redis", found "disk"']);
  const error = await refused(
    edge([], { backend: 'redis', redis: { url: 'http://admin:s3cret@cache:6379', command_timeout: '0ms', reconnect: { min_delay: '5s' }, max_pending: 0 } }),
  );
  assert.deepEqual(paths(error), [
    'redis.url: expected a URL such as "redis://127.0.0.1:6379/0" (or "rediss://" for TLS), found the scheme "http"',
    'redis.command_timeout: expected a duration above 0 such as "15ms"',
    'redis.reconnect.max_delay: expected min_delay to be at most max_delay',
    'redis.max_pending: expected at least 1',
  ]);
  const unparsable = await refused(edge([], { backend: 'redis', redis: { url: 'redis://admin:s3cret@[bad' } }));
  assert.doesNotMatch(unparsable.message, /s3cret/, 'a password in a URL is never echoed');
  assert.match(unparsable.message, /found "redis:\/\/\*\*\*@\[bad"/);
});

test('defaults: memory counters; redis fails fast (15 ms) with background reconnection', async (t) => {
  const memory = await createTestPlugin(rateLimitPlugin, { config: edge([{ key: 'k', rate_limit: { unit: 'SECOND', requests_per_unit: 1 } }]) });
  t.after(() => memory.close());
  assert.equal(memory.config.backend, 'memory');
  assert.equal(memory.config.domains[0]?.descriptors[0]?.rate_limit?.unit, 'second', 'units are accepted in any case, as Envoy does');
  assert.equal(memory.state.backend.kind, 'memory');

  // Nothing listens on port 1: the plugin still starts (it connects in the background).
  const redis = await createTestPlugin(rateLimitPlugin, { config: edge([], { backend: 'redis', redis: { url: 'redis://127.0.0.1:1/2' } }) });
  t.after(() => redis.close());
  assert.deepEqual(redis.config.redis, {
    url: 'redis://127.0.0.1:1/2',
    key_prefix: DEFAULT_KEY_PREFIX,
    command_timeout: 15,
    connect_timeout: 1_000,
    reconnect: { min_delay: 50, max_delay: 2_000 },
    max_pending: 1_000,
  });
});
