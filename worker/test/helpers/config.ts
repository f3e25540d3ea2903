// Builders for MosnConfig objects in tests (the effective config, as the loader would produce it).

import type {
  ClusterConfig,
  ListenerConfig,
  MosnConfig,
  RouteConfig,
  RouterConfig,
  VirtualHostConfig,
} from '@mosn/config';

export function cluster(name: string, ports: readonly number[], o: Partial<ClusterConfig> = {}): ClusterConfig {
  return {
    name,
    type: 'SIMPLE',
    lb_type: 'LB_ROUNDROBIN',
    connect_timeout: 3000,
    idle_timeout: 90_000,
    max_request_per_conn: 0,
    hosts: ports.map((port) => ({ address: '127.0.0.1:' + port, host: '127.0.0.1', port, weight: 1 })),
    ...o,
  };
}

export interface MatchSpec {
  prefix?: string;
  path?: string;
  regex?: string;
  headers?: { name: string; value: string; regex?: boolean }[];
}

export type ActionSpec =
  | { cluster: string; timeout?: number; prefix_rewrite?: string; host_rewrite?: string }
  | { direct: { status: number; body?: string } };

export function route(match: MatchSpec, action: ActionSpec): RouteConfig {
  return {
    match: {
      prefix: match.prefix,
      path: match.path,
      regex: match.regex,
      headers: (match.headers ?? []).map((h) => ({ name: h.name, value: h.value, regex: h.regex ?? false })),
    },
    route:
      'cluster' in action
        ? {
            cluster_name: action.cluster,
            timeout: action.timeout ?? 15_000,
            prefix_rewrite: action.prefix_rewrite,
            host_rewrite: action.host_rewrite,
          }
        : undefined,
    direct_response: 'direct' in action ? { status: action.direct.status, body: action.direct.body } : undefined,
  };
}

export function vhost(name: string, domains: string[], routers: RouteConfig[]): VirtualHostConfig {
  return { name, domains, routers };
}

export function router(name: string, virtualHosts: VirtualHostConfig[]): RouterConfig {
  return { router_config_name: name, virtual_hosts: virtualHosts };
}

export function httpListener(name: string, routerName: string): ListenerConfig {
  return {
    name,
    address: '127.0.0.1:0',
    host: '127.0.0.1',
    port: 0,
    bind_port: true,
    filter_chains: [
      { filters: [{ type: 'proxy', config: { downstream_protocol: 'Http1', upstream_protocol: 'Http1', router_config_name: routerName } }] },
    ],
    stream_filters: [],
    access_logs: [],
  };
}

export function tcpListener(name: string, clusterName: string, idleTimeoutMs = 0): ListenerConfig {
  return {
    name,
    address: '127.0.0.1:0',
    host: '127.0.0.1',
    port: 0,
    bind_port: true,
    filter_chains: [{ filters: [{ type: 'tcp_proxy', config: { cluster: clusterName, idle_timeout: idleTimeoutMs } }] }],
    stream_filters: [],
    access_logs: [],
  };
}

export function mosnConfig(parts: { listeners: ListenerConfig[]; routers?: RouterConfig[]; clusters?: ClusterConfig[] }): MosnConfig {
  return {
    source: '<test>',
    pid: undefined,
    uds_dir: '/tmp',
    log_level: 'info',
    workers: { count: 1, drain_timeout: 30_000, ready_timeout: 10_000 },
    listeners: parts.listeners,
    routers: parts.routers ?? [],
    clusters: parts.clusters ?? [],
    plugins: [],
    metrics: { enabled: true, flush_interval: 1000 },
    admin_address: undefined,
  };
}

/** One HTTP listener "http" routing every request to cluster "c" (hosts on `ports`). */
export function proxyConfig(ports: readonly number[], o: { cluster?: Partial<ClusterConfig>; timeout?: number } = {}): MosnConfig {
  return mosnConfig({
    listeners: [httpListener('http', 'r')],
    routers: [router('r', [vhost('all', ['*'], [route({ prefix: '/' }, { cluster: 'c', timeout: o.timeout ?? 15_000 })])])],
    clusters: [cluster('c', ports, o.cluster)],
  });
}
