// Builders for MOSN v2 configs in tests: the same shape an operator writes, with less typing.

export type Json = Record<string, unknown>;

export function httpListener(name: string, routerConfigName: string, address = '127.0.0.1:0'): Json {
  return {
    name,
    address,
    bind_port: true,
    filter_chains: [
      {
        filters: [
          { type: 'proxy', config: { downstream_protocol: 'Http1', upstream_protocol: 'Http1', router_config_name: routerConfigName } },
        ],
      },
    ],
  };
}

export function tcpListener(name: string, cluster: string, address = '127.0.0.1:0'): Json {
  return { name, address, bind_port: true, filter_chains: [{ filters: [{ type: 'tcp_proxy', config: { cluster } }] }] };
}

export function cluster(name: string, hosts: readonly string[], extra: Json = {}): Json {
  return { name, type: 'SIMPLE', lb_type: 'LB_ROUNDROBIN', hosts: hosts.map((address) => ({ address })), ...extra };
}

export function router(name: string, virtualHosts: Json[]): Json {
  return { router_config_name: name, virtual_hosts: virtualHosts };
}

/** A router sending everything to one cluster. */
export function catchAllRouter(name: string, clusterName: string, routeExtra: Json = {}): Json {
  return router(name, [{ name: 'all', domains: ['*'], routers: [{ match: { prefix: '/' }, route: { cluster_name: clusterName, ...routeExtra } }] }]);
}

export function mosnConfig(parts: { listeners: Json[]; routers?: Json[]; clusters?: Json[]; workers?: Json; top?: Json }): Json {
  return {
    servers: [{ default_log_level: 'INFO', routers: parts.routers ?? [], listeners: parts.listeners }],
    cluster_manager: { clusters: parts.clusters ?? [] },
    workers: { count: 2, drain_timeout: '5s', ...parts.workers },
    ...parts.top,
  };
}
