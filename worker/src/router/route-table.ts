// A router config compiled into a RouteTable: virtual hosts indexed by domain, each with its
// routes in order; the first route whose path and header rules match wins (Envoy's semantics).
// Compiled once per config; `match` allocates nothing except, for a regex route on a request with
// a query string, the path without it (once per request).

import type { RouterConfig } from '@mosn/config';
import { MATCH_PATH, MATCH_PREFIX, compileRoute, headersMatch, type CompiledRoute } from './route-matcher.js';
import type { MatchedRoute, RouteTable } from './types.js';
import { compileVirtualHostMatcher, type VirtualHostMatcher } from './virtual-host-matcher.js';

class CompiledRouteTable implements RouteTable {
  constructor(private readonly hosts: VirtualHostMatcher<readonly CompiledRoute[]>) {}

  match(
    authority: string | undefined,
    path: string,
    getHeader: (lowerCaseName: string) => string | undefined,
  ): MatchedRoute | undefined {
    const routes = this.hosts.find(authority);
    if (routes === undefined) return undefined;
    const query = path.indexOf('?');
    const pathEnd = query < 0 ? path.length : query;
    let bare: string | undefined;
    for (let i = 0; i < routes.length; i++) {
      const route = routes[i];
      if (route === undefined) continue;
      if (route.kind === MATCH_PREFIX) {
        if (!path.startsWith(route.text)) continue;
      } else if (route.kind === MATCH_PATH) {
        if (pathEnd !== route.text.length || !path.startsWith(route.text)) continue;
      } else {
        bare ??= query < 0 ? path : path.slice(0, query);
        if (route.regex === undefined || !route.regex.test(bare)) continue;
      }
      if (route.headers.length > 0 && !headersMatch(route.headers, getHeader)) continue;
      return route.result;
    }
    return undefined;
  }
}

/** Compiles one router config. Throws MosnWorkerError (MOSN_ERR_WORKER_CONFIG) on a config the loader would have rejected. */
export function compileRouteTable(config: RouterConfig): RouteTable {
  const hosts = compileVirtualHostMatcher(
    config.virtual_hosts.map((vh) => ({
      domains: vh.domains,
      value: Object.freeze(vh.routers.map((route, index) => compileRoute(route, vh.name, index, [vh, config]))),
    })),
  );
  return new CompiledRouteTable(hosts);
}

/** Compiles every router config, keyed by router_config_name. */
export function compileRouteTables(configs: readonly RouterConfig[]): Map<string, RouteTable> {
  const tables = new Map<string, RouteTable>();
  for (const config of configs) tables.set(config.router_config_name, compileRouteTable(config));
  return tables;
}
