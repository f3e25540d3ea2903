import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, parseConfig } from '../src/index.js';

const base = (listenerExtra: string, plugins: string): string => `
servers:
  - routers:
      - router_config_name: r
        virtual_hosts: [{ name: all, domains: ["*"], routers: [{ match: { prefix: / }, direct_response: { status: 200 } }] }]
    listeners:
      - name: http
        address: 127.0.0.1:0
        filter_chains: [{ filters: [{ type: proxy, config: { router_config_name: r } }] }]
${listenerExtra}
${plugins}
`;

const PLUGINS = `plugins:
  - name: auth
    command: node
    args: [plugins/auth/dist/src/main.js]
    config: { api_keys: [k1] }
  - name: policy
    command: ./bin/policy
    failure_mode: closed
    timeout: 50ms`;

function failure(text: string): ConfigError {
  try {
    parseConfig(text, '/etc/mosn/mosn.yaml');
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err;
  }
  assert.fail('expected the config to be rejected');
}

test('plugins get defaults, and commands with a slash resolve against the config folder', () => {
  const config = parseConfig(base('', PLUGINS), '/etc/mosn/mosn.yaml');
  assert.deepStrictEqual(config.plugins, [
    { name: 'auth', command: 'node', args: ['plugins/auth/dist/src/main.js'], env: {}, config: { api_keys: ['k1'] }, timeout: 200, failure_mode: undefined, start_timeout: 5000, nice: 0, cwd: '/etc/mosn' },
    { name: 'policy', command: '/etc/mosn/bin/policy', args: [], env: {}, config: {}, timeout: 50, failure_mode: 'closed', start_timeout: 5000, nice: 0, cwd: '/etc/mosn' },
  ]);
});

test('stream filters settle their failure mode: their own, else the plugin\'s, else auth closed / plugin open', () => {
  const filters = `        stream_filters:
          - { type: auth, config: { plugin: auth } }
          - { type: plugin, config: { plugin: auth, cache: { header: Authorization, ttl: 30s } } }
          - { type: plugin, config: { plugin: policy } }
          - { type: auth, config: { plugin: auth, failure_mode: open, failure_status: 401 } }`;
  const config = parseConfig(base(filters, PLUGINS), '/etc/mosn/mosn.yaml');
  const got = config.listeners[0]?.stream_filters.map((f) => (f.type === 'auth' || f.type === 'plugin' ? [f.type, f.config.failure_mode, f.config.failure_status, f.config.cache] : [f.type]));
  assert.deepStrictEqual(got, [
    ['auth', 'closed', 403, undefined],
    ['plugin', 'open', 503, { header: 'authorization', ttl: 30_000, max_entries: 10_000 }],
    ['plugin', 'closed', 503, undefined],
    ['auth', 'open', 401, undefined],
  ]);
});

test('a stream filter naming an undefined plugin is an error with the list of plugins', () => {
  const err = failure(base('        stream_filters: [{ type: auth, config: { plugin: auht } }]', PLUGINS));
  assert.match(err.message, /mosn\.yaml:\d+:\d+ servers\[0\]\.listeners\[0\]\.stream_filters\[0\]\.config\.plugin: plugin "auht" is not defined in plugins .*did you mean "auth"\?/);
});

test('a MOSN stream filter type not supported yet says so; an unknown one lists the supported', () => {
  assert.match(failure(base('        stream_filters: [{ type: gzip, config: { plugin: auth } }]', PLUGINS)).message, /"gzip" is a MOSN stream filter type that MOSN.ts does not support yet/);
  assert.match(failure(base('        stream_filters: [{ type: zip, config: { plugin: auth } }]', PLUGINS)).message, /expected one of "auth", "plugin", "rate_limit", "local_rate_limit", "access_log", found "zip"/);
});

test('duplicate plugin names, bad names and unknown plugin keys are errors', () => {
  const dup = `plugins:\n  - { name: a, command: x }\n  - { name: a, command: y }`;
  assert.match(failure(base('', dup)).message, /plugins\[1\]\.name: duplicate plugin name "a"/);
  assert.match(failure(base('', `plugins:\n  - { name: "a b", command: x }`)).message, /plugins\[0\]\.name: expected a name of letters/);
  assert.match(failure(base('', `plugins:\n  - { name: a, command: x, timout: 1s }`)).message, /unknown key "timout" in a plugin; did you mean "timeout"\?/);
});

test('nice is a whole number from 0 to 19: a plugin may be given a lower priority, never a higher one', () => {
  const config = parseConfig(base('', `${PLUGINS}\n    nice: 10`), '/etc/mosn/mosn.yaml');
  assert.deepStrictEqual(config.plugins.map((p) => p.nice), [0, 10]);
  for (const bad of ['-5', '20', '2.5', '"low"']) {
    const err = failure(base('', `${PLUGINS}\n    nice: ${bad}`));
    assert.match(err.message, /nice/, `${bad}: ${err.message}`);
  }
});
