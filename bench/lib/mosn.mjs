// Starting MOSN.ts for a bench: the one place to change when `mosnctl` replaces the standalone
// worker (`node supervisor/bin/mosnctl.js start -c FILE --workers 1`).

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../config/dist/src/index.js';
import { pinned, spawnManaged, waitForPort } from './proc.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** Writes `config` (MOSN v2 format, as an object) to a temp file; returns its path. */
export function writeConfig(config) {
  const dir = mkdtempSync(join(tmpdir(), 'mosn-bench-config-'));
  const file = join(dir, 'mosn.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** Starts MOSN.ts with one worker on `configFile` (MOSN v2 format); resolves when `port` accepts. */
export async function startMosn({ configFile, port, cpu, nodeArgs = [] }) {
  // Validated here, as the supervisor would, and handed over as the effective config.
  const effective = join(dirname(configFile), 'effective.json');
  writeFileSync(effective, JSON.stringify(await loadConfig(configFile)));
  const [cmd, args] = pinned(cpu, process.execPath, [...nodeArgs, join(here, 'standalone-worker.mjs'), effective]);
  const child = spawnManaged('mosn', cmd, args);
  await waitForPort(port, child);
  return child;
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
