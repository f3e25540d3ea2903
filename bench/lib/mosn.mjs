// Starting MOSN.ts for a bench, through mosnctl as an operator would.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pinned, spawnManaged, waitForPort } from './proc.mjs';

const here = dirname(fileURLToPath(import.meta.url));

const configDirs = [];
process.on('exit', () => {
  for (const dir of configDirs) rmSync(dir, { recursive: true, force: true });
});

/** Writes `config` (MOSN v2 format, as an object) to a temp file, removed at exit; returns its path. */
export function writeConfig(config) {
  const dir = mkdtempSync(join(tmpdir(), 'mosn-bench-config-'));
  configDirs.push(dir);
  const file = join(dir, 'mosn.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/**
 * Starts MOSN.ts the way an operator does (`mosnctl start -c FILE --workers 1`: the supervisor
 * and one forked worker, in one process group); resolves when `port` accepts.
 */
export async function startMosn({ configFile, port, cpu, nodeArgs = [], workers = 1 }) {
  const mosnctl = join(here, '../../supervisor/bin/mosnctl.js');
  // Node flags such as --cpu-prof reach the workers too: fork() passes the supervisor's execArgv on.
  const [cmd, args] = pinned(cpu, process.execPath, [...nodeArgs, mosnctl, 'start', '-c', configFile, '--workers', String(workers)]);
  const child = spawnManaged('mosn', cmd, args);
  await waitForPort(port, child);
  return child;
}

/**
 * Runs every plugin of `config` under `taskset -c CPU` (the operator's way to give plugins their
 * own core: the plugin's `command`); unchanged when `cpu` is undefined.
 */
export function pinPlugins(config, cpu) {
  if (cpu === undefined || !Array.isArray(config.plugins)) return config;
  for (const plugin of config.plugins) {
    plugin.args = ['-c', String(cpu), plugin.command, ...(plugin.args ?? [])];
    plugin.command = 'taskset';
  }
  return config;
}

/** A v2 config with one HTTP listener routing everything to one cluster. */
export function httpProxyConfig({ port, upstreamPort }) {
  return {
    servers: [
      {
        default_log_level: 'WARN',
        routers: [
          {
            router_config_name: 'bench',
            virtual_hosts: [{ name: 'all', domains: ['*'], routers: [{ match: { prefix: '/' }, route: { cluster_name: 'upstream' } }] }],
          },
        ],
        listeners: [
          {
            name: 'http',
            address: `127.0.0.1:${port}`,
            bind_port: true,
            filter_chains: [
              { filters: [{ type: 'proxy', config: { downstream_protocol: 'Http1', upstream_protocol: 'Http1', router_config_name: 'bench' } }] },
            ],
          },
        ],
      },
    ],
    cluster_manager: {
      clusters: [
        { name: 'upstream', type: 'SIMPLE', lb_type: 'LB_ROUNDROBIN', connect_timeout: '1s', idle_timeout: '60s', hosts: [{ address: `127.0.0.1:${upstreamPort}` }] },
      ],
    },
    workers: { count: 1, drain_timeout: '5s' },
  };
}

/** httpProxyConfig with a cluster of several hosts balanced by `lbType` (LB_ROUNDROBIN, LB_LEAST_REQUEST, …). */
export function multiHostProxyConfig({ port, upstreamPorts, lbType }) {
  const config = httpProxyConfig({ port, upstreamPort: upstreamPorts[0] });
  const cluster = config.cluster_manager.clusters[0];
  cluster.lb_type = lbType;
  cluster.hosts = upstreamPorts.map((p) => ({ address: `127.0.0.1:${p}` }));
  return config;
}

/** A v2 config with one tcp_proxy listener. */
export function tcpProxyConfig({ port, upstreamPort }) {
  return {
    servers: [
      {
        default_log_level: 'WARN',
        listeners: [
          {
            name: 'tcp',
            address: `127.0.0.1:${port}`,
            bind_port: true,
            filter_chains: [{ filters: [{ type: 'tcp_proxy', config: { cluster: 'upstream' } }] }],
          },
        ],
      },
    ],
    cluster_manager: {
      clusters: [{ name: 'upstream', type: 'SIMPLE', lb_type: 'LB_ROUNDROBIN', connect_timeout: '1s', hosts: [{ address: `127.0.0.1:${upstreamPort}` }] }],
    },
    workers: { count: 1, drain_timeout: '5s' },
  };
}

/**
 * httpProxyConfig plus the auth plugin (JWT HS256 with `secret`) as a stream filter on the
 * listener; with `cache`, decisions are cached by the Authorization header for 30 s (no RPC on a
 * hit); `tokenCacheSize` is the plugin's own verified-token cache (`jwt.cache_size`, 0 = off).
 */
export function authProxyConfig({ port, upstreamPort, secret, cache, tokenCacheSize }) {
  const config = httpProxyConfig({ port, upstreamPort });
  const listener = config.servers[0].listeners[0];
  listener.stream_filters = [
    { type: 'auth', config: { plugin: 'auth', ...(cache ? { cache: { header: 'authorization', ttl: '30s' } } : {}) } },
  ];
  config.plugins = [
    {
      name: 'auth',
      command: process.execPath,
      args: [join(here, '../../plugins/auth/dist/src/main.js')],
      config: { jwt: { keys: [{ alg: 'HS256', secret }], ...(tokenCacheSize === undefined ? {} : { cache_size: tokenCacheSize }) } },
    },
  ];
  return config;
}

/** httpProxyConfig whose listener terminates TLS with `cert` ({ cert, key } paths), ALPN http/1.1. */
export function tlsProxyConfig({ port, upstreamPort, cert }) {
  const config = httpProxyConfig({ port, upstreamPort });
  const chain = config.servers[0].listeners[0].filter_chains[0];
  chain.tls_context = { status: true, cert_chain: cert.cert, private_key: cert.key, alpn: 'http/1.1' };
  return config;
}

/**
 * httpProxyConfig plus access logging: the listener's MOSN access_logs (a text format naming a
 * request and a response header) sent to the logging-bypass plugin, which writes `logPath`.
 */
export function accessLogProxyConfig({ port, upstreamPort, logPath }) {
  const config = httpProxyConfig({ port, upstreamPort });
  const listener = config.servers[0].listeners[0];
  listener.stream_filters = [{ type: 'access_log', config: { plugin: 'access-log' } }];
  listener.access_logs = [
    { log_path: logPath, log_format: '%start_time% %downstream_remote_address% %request_method% %request_path% %protocol% %response_code% %bytes_sent% %duration% %upstream_host% %request_id% %REQ.user-agent%' },
  ];
  // Run as the plugin's README says: `nice: 10` (off the request path, it waits for the worker),
  // `--single-threaded-gc` (no GC helper threads competing for the worker's core) and
  // `--no-memory-reducer` (no extra full collections of a heap that stays small).
  config.plugins = [{ name: 'access-log', command: process.execPath, args: ['--single-threaded-gc', '--no-memory-reducer', join(here, '../../plugins/logging-bypass/dist/src/main.js')], nice: 10 }];
  return config;
}

/**
 * httpProxyConfig plus the global rate limit filter: one descriptor per client address against
 * the rate-limit plugin's memory backend, with a limit the bench never reaches.
 */
export function rateLimitProxyConfig({ port, upstreamPort }) {
  const config = httpProxyConfig({ port, upstreamPort });
  const listener = config.servers[0].listeners[0];
  listener.stream_filters = [
    { type: 'rate_limit', config: { plugin: 'limits', domain: 'bench', rate_limits: [{ actions: [{ remote_address: {} }] }] } },
  ];
  config.plugins = [
    {
      name: 'limits',
      command: process.execPath,
      args: [join(here, '../../plugins/rate-limit/dist/src/main.js')],
      config: { domains: [{ domain: 'bench', descriptors: [{ key: 'remote_address', rate_limit: { unit: 'second', requests_per_unit: 1_000_000_000 } }] }] },
    },
  ];
  return config;
}

/** httpProxyConfig with metrics recording off (`metrics.enabled: false`): the baseline for their cost. */
export function noMetricsProxyConfig({ port, upstreamPort }) {
  return { ...httpProxyConfig({ port, upstreamPort }), metrics: { enabled: false } };
}

/** httpProxyConfig plus the management plugin receiving every worker's report (admin API on `adminPort`). */
export function managementProxyConfig({ port, upstreamPort, adminPort }) {
  const config = httpProxyConfig({ port, upstreamPort });
  config.plugins = [
    { name: 'management', command: process.execPath, args: [join(here, '../../plugins/management/dist/src/main.js')], config: { address: `127.0.0.1:${adminPort}` } },
  ];
  return config;
}
