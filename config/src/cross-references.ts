// Checks that span objects: names that must be unique, names that must refer to something defined,
// listener addresses that would collide when bound. They run on the raw data, next to the schema
// rather than after it, so that a file with a typo elsewhere still gets every error in one pass;
// values of the wrong type are skipped here (the schema reports them).

import { isIP } from 'node:net';
import { isWildcardHost, parseAddress } from './address.js';
import { closest } from './mosn-keys.js';
import { isRecord } from './schema/common.js';
import { formatPath } from './source-map.js';
import { hashPolicyIssues } from './hash-policy-check.js';

export interface RawIssue {
  path: PropertyKey[];
  message: string;
}

type Path = PropertyKey[];
interface Named {
  name: string;
  path: Path;
}

export function crossReferenceIssues(root: unknown): RawIssue[] {
  const issues: RawIssue[] = [];
  const server = isRecord(root) && Array.isArray(root['servers']) ? root['servers'][0] : undefined;
  const clusterManager = isRecord(root) ? root['cluster_manager'] : undefined;

  const clusters = namesOf(isRecord(clusterManager) ? clusterManager['clusters'] : undefined, ['cluster_manager', 'clusters'], 'name');
  const routers = namesOf(isRecord(server) ? server['routers'] : undefined, ['servers', 0, 'routers'], 'router_config_name');
  const listenersPath: Path = ['servers', 0, 'listeners'];
  const listeners = entries(isRecord(server) ? server['listeners'] : undefined, listenersPath);

  unique(clusters, 'cluster name', issues);
  unique(routers, 'router_config_name', issues);
  unique(namesOf(isRecord(server) ? server['listeners'] : undefined, listenersPath, 'name'), 'listener name', issues);
  listenerAddresses(listeners, issues);

  const plugins = namesOf(isRecord(root) ? root['plugins'] : undefined, ['plugins'], 'name');
  unique(plugins, 'plugin name', issues);
  const pluginNames = [...new Set(plugins.map((p) => p.name))];

  const clusterNames = [...new Set(clusters.map((c) => c.name))];
  const routerNames = [...new Set(routers.map((r) => r.name))];
  for (const { value, path } of listeners) {
    for (const { value: filter, path: filterPath } of entries(
      entries(value['filter_chains'], [...path, 'filter_chains'])[0]?.value['filters'],
      [...path, 'filter_chains', 0, 'filters'],
    )) {
      const config = filter['config'];
      if (!isRecord(config)) continue;
      if (filter['type'] === 'proxy') {
        reference(config['router_config_name'], [...filterPath, 'config', 'router_config_name'], routerNames, 'router config', 'servers[0].routers', issues);
      } else if (filter['type'] === 'tcp_proxy') {
        reference(config['cluster'], [...filterPath, 'config', 'cluster'], clusterNames, 'cluster', 'cluster_manager.clusters', issues);
        const target = (isRecord(clusterManager) && Array.isArray(clusterManager['clusters']) ? clusterManager['clusters'] : []).find(
          (c: unknown) => isRecord(c) && c['name'] === config['cluster'],
        );
        if (isRecord(target) && target['tls_context'] !== undefined) {
          issues.push({
            path: [...filterPath, 'config', 'cluster'],
            message: `tcp_proxy does not originate TLS yet: cluster ${JSON.stringify(config['cluster'])} has a tls_context (use it from a "proxy" listener, or remove tls_context)`,
          });
        }
        if (Array.isArray(value['stream_filters']) && value['stream_filters'].length > 0) {
          issues.push({ path: [...path, 'stream_filters'], message: 'stream filters apply to HTTP ("proxy") listeners; this listener is a "tcp_proxy"' });
        }
      }
    }
    const accessLogFilters: Path[] = [];
    for (const { value: streamFilter, path: sfPath } of entries(value['stream_filters'], [...path, 'stream_filters'])) {
      const config = streamFilter['config'];
      if (isRecord(config) && streamFilter['type'] !== 'local_rate_limit') {
        reference(config['plugin'], [...sfPath, 'config', 'plugin'], pluginNames, 'plugin', 'plugins', issues);
      }
      if (streamFilter['type'] === 'access_log') accessLogFilters.push(sfPath);
    }
    accessLogIssues(value, path, accessLogFilters, issues);
  }

  for (const { value: router, path: routerPath } of entries(isRecord(server) ? server['routers'] : undefined, ['servers', 0, 'routers'])) {
    const domains: Named[] = [];
    for (const { value: vhost, path: vhostPath } of entries(router['virtual_hosts'], [...routerPath, 'virtual_hosts'])) {
      const list = Array.isArray(vhost['domains']) ? vhost['domains'] : [];
      list.forEach((d, i) => {
        if (typeof d === 'string') domains.push({ name: d.toLowerCase(), path: [...vhostPath, 'domains', i] });
      });
      for (const { value: route, path: routePath } of entries(vhost['routers'], [...vhostPath, 'routers'])) {
        const action = route['route'];
        if (!isRecord(action)) continue;
        reference(action['cluster_name'], [...routePath, 'route', 'cluster_name'], clusterNames, 'cluster', 'cluster_manager.clusters', issues);
        for (const { value: weighted, path: wPath } of entries(action['weighted_clusters'], [...routePath, 'route', 'weighted_clusters'])) {
          const c = weighted['cluster'];
          if (isRecord(c)) reference(c['name'], [...wPath, 'cluster', 'name'], clusterNames, 'cluster', 'cluster_manager.clusters', issues);
        }
        hashPolicyIssues(action, [...routePath, 'route'], clusterManager, issues);
      }
    }
    // Envoy's rule: within one router config a domain picks exactly one virtual host.
    unique(domains, 'domain in this router config', issues);
  }
  return issues;
}

function entries(list: unknown, path: Path): { value: Record<string, unknown>; path: Path }[] {
  if (!Array.isArray(list)) return [];
  const out: { value: Record<string, unknown>; path: Path }[] = [];
  list.forEach((value, i) => {
    if (isRecord(value)) out.push({ value, path: [...path, i] });
  });
  return out;
}

function namesOf(list: unknown, path: Path, key: string): Named[] {
  return entries(list, path).flatMap(({ value, path: p }) => {
    const name = value[key];
    return typeof name === 'string' && name !== '' ? [{ name, path: [...p, key] }] : [];
  });
}

function unique(items: readonly Named[], what: string, issues: RawIssue[]): void {
  const first = new Map<string, Path>();
  for (const item of items) {
    const seen = first.get(item.name);
    if (seen === undefined) first.set(item.name, item.path);
    else issues.push({ path: item.path, message: `duplicate ${what} ${JSON.stringify(item.name)}, also at ${formatPath(seen)}` });
  }
}

function reference(name: unknown, path: Path, defined: readonly string[], what: string, where: string, issues: RawIssue[]): void {
  if (typeof name !== 'string' || name === '' || defined.includes(name)) return;
  const guess = closest(name, defined);
  const known = defined.length === 0 ? `${where} defines none` : `defined: ${defined.map((n) => JSON.stringify(n)).join(', ')}`;
  const hint = guess === undefined ? '' : `; did you mean ${JSON.stringify(guess)}?`;
  issues.push({ path, message: `${what} ${JSON.stringify(name)} is not defined in ${where} (${known})${hint}` });
}

function listenerAddresses(listeners: readonly { value: Record<string, unknown>; path: Path }[], issues: RawIssue[]): void {
  const bound: { host: string; port: number; text: string; path: Path }[] = [];
  for (const { value, path } of listeners) {
    const text = value['address'];
    if (typeof text !== 'string') continue;
    const parsed = parseAddress(text, { allowPortZero: true });
    // Port 0 gives each listener its own free port: such listeners never collide.
    if (parsed === undefined || parsed.port === 0) continue;
    const here = { host: parsed.host.toLowerCase(), port: parsed.port, text, path: [...path, 'address'] };
    for (const other of bound) {
      if (other.port !== here.port) continue;
      if (other.host === here.host) {
        issues.push({ path: here.path, message: `duplicate listener address ${JSON.stringify(here.text)}, also at ${formatPath(other.path)}` });
        break;
      }
      // Binding a specific address on a port where another listener takes every address fails.
      if (wildcardOverlap(other.host, here.host)) {
        issues.push({
          path: here.path,
          message: `listener address ${JSON.stringify(here.text)} overlaps ${JSON.stringify(other.text)} at ${formatPath(other.path)} (same port, and one of them listens on every address)`,
        });
        break;
      }
    }
    bound.push(here);
  }
}

// "::" takes every address of both families (Linux's default dual stack); "0.0.0.0" only IPv4's.
// A host name may resolve to either family, so it is taken to overlap.
function wildcardOverlap(a: string, b: string): boolean {
  if (!isWildcardHost(a) && !isWildcardHost(b)) return false;
  const fa = isIP(a);
  const fb = isIP(b);
  const dualStack = (isWildcardHost(a) && fa === 6) || (isWildcardHost(b) && fb === 6);
  return dualStack || fa === 0 || fb === 0 || fa === fb;
}

/** A listener's access_logs are written by its one access_log stream filter's plugin: both or neither. */
function accessLogIssues(listener: Record<string, unknown>, path: Path, filters: readonly Path[], issues: RawIssue[]): void {
  const logs = listener['access_logs'];
  const hasLogs = Array.isArray(logs) && logs.length > 0;
  if (filters.length > 1) {
    issues.push({ path: filters[1] as Path, message: 'expected at most one "access_log" stream filter per listener, found a second' });
  }
  if (hasLogs && filters.length === 0) {
    issues.push({
      path: [...path, 'access_logs'],
      message:
        'expected an "access_log" stream filter naming the logging plugin that writes these logs (e.g. stream_filters: [{ type: access_log, config: { plugin: access-log } }]), found none',
    });
  }
  if (!hasLogs && filters.length > 0) {
    issues.push({ path: filters[0] as Path, message: 'expected the listener to have "access_logs" (log_path, log_format) for the "access_log" filter to write, found none' });
  }
}
