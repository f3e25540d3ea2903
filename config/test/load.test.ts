import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CONFIG_ERROR_CODES, ConfigError, loadConfig, parseConfig, type MosnConfig } from '../src/index.js';

// Tests run from dist/test; the fixtures stay in the source tree.
const fixtures = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));

function expectedFull(source: string): MosnConfig {
  const dir = dirname(source);
  return {
    source,
    pid: join(dir, 'run/mosn.pid'),
    uds_dir: join(dir, 'run'),
    log_level: 'warn',
    workers: { count: 4, drain_timeout: 90_000, ready_timeout: 10_000 },
    listeners: [
      {
        name: 'http',
        address: '127.0.0.1:8080',
        host: '127.0.0.1',
        port: 8080,
        bind_port: true,
        filter_chains: [
          {
            filters: [
              {
                type: 'proxy',
                config: { downstream_protocol: 'Http1', upstream_protocol: 'Http1', router_config_name: 'http_routes' },
              },
            ],
          },
        ],
        stream_filters: [],
        access_logs: [],
      },
      {
        name: 'redis',
        address: '[::1]:6380',
        host: '::1',
        port: 6380,
        bind_port: true,
        filter_chains: [{ filters: [{ type: 'tcp_proxy', config: { cluster: 'redis', idle_timeout: 300_000 } }] }],
        stream_filters: [],
        access_logs: [],
      },
    ],
    routers: [
      {
        router_config_name: 'http_routes',
        virtual_hosts: [
          {
            name: 'api',
            domains: ['api.example.com', '*.api.example.com'],
            routers: [
              {
                match: {
                  prefix: '/v1/',
                  path: undefined,
                  regex: undefined,
                  headers: [{ name: 'x-canary', value: '1|yes', regex: true }],
                },
                route: { cluster_name: 'api_canary', timeout: 2_000, prefix_rewrite: '/', host_rewrite: undefined },
                direct_response: undefined,
              },
              {
                match: { prefix: '/v1/', path: undefined, regex: undefined, headers: [] },
                route: { cluster_name: 'api', timeout: 15_000, prefix_rewrite: '/', host_rewrite: 'api.internal' },
                direct_response: undefined,
              },
              {
                match: { prefix: undefined, path: '/healthz', regex: undefined, headers: [] },
                route: undefined,
                direct_response: { status: 200, body: 'ok\n' },
              },
            ],
          },
          {
            name: 'default',
            domains: ['*'],
            routers: [
              {
                match: { prefix: undefined, path: undefined, regex: '/static/.*\\.(css|js)', headers: [] },
                route: { cluster_name: 'static', timeout: 0, prefix_rewrite: undefined, host_rewrite: undefined },
                direct_response: undefined,
              },
              {
                match: { prefix: '/', path: undefined, regex: undefined, headers: [] },
                route: undefined,
                direct_response: { status: 404, body: undefined },
              },
            ],
          },
        ],
      },
    ],
    clusters: [
      {
        name: 'api',
        type: 'SIMPLE',
        lb_type: 'LB_ROUNDROBIN',
        connect_timeout: 500,
        idle_timeout: 60_000,
        max_request_per_conn: 1000,
        hosts: [
          { address: '10.0.0.1:9000', host: '10.0.0.1', port: 9000, weight: 3 },
          { address: '10.0.0.2:9000', host: '10.0.0.2', port: 9000, weight: 1 },
        ],
      },
      {
        name: 'api_canary',
        type: 'SIMPLE',
        lb_type: 'LB_ROUNDROBIN',
        connect_timeout: 3_000,
        idle_timeout: 90_000,
        max_request_per_conn: 0,
        hosts: [{ address: '10.0.1.1:9000', host: '10.0.1.1', port: 9000, weight: 1 }],
      },
      {
        name: 'static',
        type: 'SIMPLE',
        lb_type: 'LB_ROUNDROBIN',
        connect_timeout: 3_000,
        idle_timeout: 90_000,
        max_request_per_conn: 0,
        hosts: [{ address: 'static.internal:80', host: 'static.internal', port: 80, weight: 1 }],
      },
      {
        name: 'redis',
        type: 'SIMPLE',
        lb_type: 'LB_ROUNDROBIN',
        connect_timeout: 3_000,
        idle_timeout: 90_000,
        max_request_per_conn: 0,
        hosts: [],
      },
    ],
    plugins: [],
    metrics: { enabled: true, flush_interval: 1000 },
    admin_address: undefined,
  };
}

test('a full JSON config loads to the expected object, with paths resolved against its folder', async () => {
  const file = join(fixtures, 'full.json');
  assert.deepStrictEqual(await loadConfig(file), expectedFull(file));
});

test('the same config in YAML loads to the same object', async () => {
  const file = join(fixtures, 'full.yaml');
  assert.deepStrictEqual(await loadConfig(file), expectedFull(file));
});

test('a minimal config gets every default', () => {
  const config = parseConfig('{"servers": [{}]}', '/etc/mosn/mosn.json');
  assert.deepStrictEqual(config, {
    source: '/etc/mosn/mosn.json',
    pid: undefined,
    uds_dir: '/etc/mosn',
    log_level: 'info',
    workers: { count: availableParallelism(), drain_timeout: 30_000, ready_timeout: 10_000 },
    listeners: [],
    routers: [],
    clusters: [],
    plugins: [],
    metrics: { enabled: true, flush_interval: 1000 },
    admin_address: undefined,
  });
});

test('MOSN\'s admin.address is read as host:port (the management plugin serves it)', () => {
  const config = parseConfig('admin: { address: { socket_address: { address: 127.0.0.1, port_value: 34901 } } }\nservers: [{}]\n', '/etc/mosn/a.yaml');
  assert.equal(config.admin_address, '127.0.0.1:34901');
  const v6 = parseConfig('admin: { address: { socket_address: { address: "::1", port_value: 9 } } }\nservers: [{}]\n', '/etc/mosn/a.yaml');
  assert.equal(v6.admin_address, '[::1]:9');
});

test('defaults fill in listeners, routes, clusters and hosts left short', () => {
  const yaml = [
    'servers:',
    '  - listeners:',
    '      - name: l',
    '        address: 0.0.0.0:0',
    '        filter_chains: [{ filters: [{ type: proxy, config: { router_config_name: r } }] }]',
    '      - name: t',
    '        address: localhost:9000',
    '        filter_chains: [{ filters: [{ type: tcp_proxy, config: { cluster: c } }] }]',
    '    routers:',
    '      - router_config_name: r',
    '        virtual_hosts: [{ name: v, domains: [Example.COM], routers: [{ match: { prefix: / }, route: { cluster_name: c } }] }]',
    'cluster_manager: { clusters: [{ name: c, hosts: [{ address: "127.0.0.1:1" }] }] }',
  ].join('\n');
  const config = parseConfig(yaml, 'defaults.yaml');
  const [http, tcp] = config.listeners;
  assert.equal(http?.bind_port, true);
  assert.equal(http?.port, 0);
  assert.deepStrictEqual(http?.filter_chains[0]?.filters[0], {
    type: 'proxy',
    config: { downstream_protocol: 'Http1', upstream_protocol: 'Http1', router_config_name: 'r' },
  });
  assert.deepStrictEqual(tcp?.filter_chains[0]?.filters[0], { type: 'tcp_proxy', config: { cluster: 'c', idle_timeout: 90_000 } });
  const vhost = config.routers[0]?.virtual_hosts[0];
  assert.deepStrictEqual(vhost?.domains, ['example.com'], 'domains are lower-cased');
  assert.equal(vhost?.routers[0]?.route?.timeout, 15_000);
  assert.deepStrictEqual(config.clusters[0], {
    name: 'c',
    type: 'SIMPLE',
    lb_type: 'LB_ROUNDROBIN',
    connect_timeout: 3_000,
    idle_timeout: 90_000,
    max_request_per_conn: 0,
    hosts: [{ address: '127.0.0.1:1', host: '127.0.0.1', port: 1, weight: 1 }],
  });
});

test('absolute pid and uds_dir paths are kept as written', () => {
  const config = parseConfig('{"servers": [{}], "pid": "/run/mosn.pid", "uds_dir": "/run/mosn"}', 'conf/mosn.json');
  assert.equal(config.pid, '/run/mosn.pid');
  assert.equal(config.uds_dir, '/run/mosn');
});

test('an inline label resolves relative paths against the current directory', () => {
  const config = parseConfig('{"servers": [{}], "uds_dir": "sock"}', '<inline>');
  assert.equal(config.source, '<inline>');
  assert.equal(config.uds_dir, join(process.cwd(), 'sock'));
});

test('the loaded config is plain JSON data (it is sent to workers over IPC)', async () => {
  const config = await loadConfig(join(fixtures, 'full.yaml'));
  const check = (value: unknown, path: string): void => {
    if (value === undefined || value === null || ['string', 'number', 'boolean'].includes(typeof value)) return;
    if (Array.isArray(value)) return value.forEach((v, i) => check(v, `${path}[${i}]`));
    assert.equal(Object.getPrototypeOf(value), Object.prototype, `${path} is a plain object`);
    for (const [k, v] of Object.entries(value as object)) check(v, `${path}.${k}`);
  };
  check(config, 'config');
});

test('loadConfig reads YAML by the .yml extension and JSON otherwise', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mosn-config-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'a.yml'), 'servers:\n  - default_log_level: DEBUG\n');
  await writeFile(join(dir, 'b.conf'), '{"servers": [{"default_log_level": "ERROR"}]}');
  assert.equal((await loadConfig(join(dir, 'a.yml'))).log_level, 'debug');
  assert.equal((await loadConfig(join(dir, 'b.conf'))).log_level, 'error');
});

test('a missing file fails with MOSN_ERR_CONFIG_NOT_FOUND naming the file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mosn-config-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'absent.json');
  await assert.rejects(loadConfig(file), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.code, CONFIG_ERROR_CODES.NOT_FOUND);
    assert.equal(err.file, file);
    assert.match(err.message, /absent\.json does not exist/);
    assert.equal((err.cause as NodeJS.ErrnoException).code, 'ENOENT');
    return true;
  });
});

test('a directory instead of a file fails with MOSN_ERR_CONFIG_READ', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mosn-config-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await assert.rejects(loadConfig(dir), { code: CONFIG_ERROR_CODES.READ });
});

test('an invalid file read from disk reports its path as given', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mosn-config-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'bad.yaml');
  await writeFile(file, 'servers:\n  - listeners: 3\n');
  await assert.rejects(loadConfig(file), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.code, CONFIG_ERROR_CODES.INVALID);
    assert.deepStrictEqual(err.issues, [
      { file, line: 2, col: 16, path: 'servers[0].listeners', message: 'expected an array, found 3' },
    ]);
    return true;
  });
});
