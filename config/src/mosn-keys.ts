// What MOSN knows that MOSN.ts does not do yet, so that such a config fails with "not supported
// yet" instead of "unknown key" (or, worse, being silently ignored). The key lists follow the JSON
// field names of MOSN's pkg/config/v2 structs and of its network filter configs.

/** The kinds of object in the file, each with the noun used in messages. */
export const OBJECT_KINDS = {
  root: 'top-level',
  server: 'server',
  listener: 'listener',
  filterChain: 'filter chain',
  networkFilter: 'network filter',
  proxy: '"proxy" filter',
  tcpProxy: '"tcp_proxy" filter',
  routerConfig: 'router config',
  virtualHost: 'virtual host',
  route: 'route',
  routeMatch: 'route match',
  headerMatcher: 'header matcher',
  routeAction: 'route action',
  directResponse: 'direct response',
  redirect: 'redirect',
  retryPolicy: 'retry policy',
  weightedCluster: 'weighted cluster',
  clusterWeight: 'cluster weight',
  regexRewrite: 'regex rewrite',
  regexPattern: 'regex pattern',
  googleRe2: 'google_re2',
  headerValueOption: 'header option',
  headerValue: 'header',
  tlsContext: 'TLS context',
  httpOptions: 'extend_config',
  clusterManager: 'cluster manager',
  cluster: 'cluster',
  host: 'host',
  workers: 'workers',
  plugin: 'plugin',
  streamFilter: 'stream filter',
  pluginFilter: 'plugin stream filter',
  filterCache: 'decision cache',
  rateLimitFilter: 'rate_limit stream filter',
  rateLimit: 'rate limit',
  rateLimitAction: 'rate limit action',
  rateLimitActionBody: 'rate limit action',
  localRateLimitFilter: 'local_rate_limit stream filter',
  accessLogFilter: 'access_log stream filter',
  accessLog: 'access log',
  metrics: 'metrics',
  admin: 'admin',
  adminAddress: 'admin address',
  socketAddress: 'socket address',
  hashPolicy: 'hash policy',
  headerHashPolicy: 'header hash policy',
  cookieHashPolicy: 'cookie hash policy',
  sourceIpHashPolicy: 'source_ip hash policy',
  healthCheck: 'health check',
  checkConfig: 'health check check_config',
  httpCheckConfig: 'health check http_check_config',
  circuitBreaker: 'circuit breaker thresholds',
  outlierDetection: 'cluster outlier_detection',
} as const;

export type ObjectKind = keyof typeof OBJECT_KINDS;

/** Keys MOSN accepts on each kind of object that MOSN.ts does not support yet. */
export const MOSN_UNSUPPORTED_KEYS: Readonly<Record<ObjectKind, readonly string[]>> = {
  root: [
    'disable_upgrade', 'close_graceful', 'inherit_old_mosnconfig', 'tracing',
    'dynamic_resources', 'static_resources', 'node', 'pprof', 'plugin', 'third_part_codec',
    'extends', 'wasm_global_plugins',
  ],
  server: [
    'mosn_server_name', 'default_log_path', 'global_log_roller', 'use_netpoll_mode',
    'graceful_timeout', 'processor',
  ],
  listener: [
    'type', 'reuseport', 'network', 'use_original_dst', 'listener_filters',
    'inspector', 'default_read_buffer_size',
  ],
  filterChain: ['match'],
  networkFilter: ['go_plugin_config'],
  proxy: [
    'name', 'fallback_for_unknown_protocol', 'router_handler_name', 'validate_clusters',
    'concurrency_num',
  ],
  tcpProxy: ['stat_prefix', 'max_connect_attempts', 'routes'],
  routerConfig: ['router_configs'],
  virtualHost: ['require_tls', 'per_filter_config'],
  route: ['metadata', 'per_filter_config', 'request_mirror_policies'],
  routeMatch: ['variables', 'dsl_expressions'],
  headerMatcher: [],
  routeAction: ['cluster_variable', 'upstream_protocol', 'metadata_match', 'auto_host_rewrite_header'],
  directResponse: [],
  redirect: [],
  retryPolicy: [],
  weightedCluster: [],
  clusterWeight: ['metadata_match'],
  regexRewrite: [],
  regexPattern: [],
  googleRe2: ['max_program_size'],
  headerValueOption: [],
  headerValue: [],
  tlsContext: ['type', 'ecdh_curves', 'ticket', 'fall_back', 'extend_verify', 'sds_source'],
  httpOptions: ['max_request_body_size', 'http2_use_stream'],
  clusterManager: ['tls_context', 'cluster_pool_enable', 'clusters_configs'],
  cluster: [
    'sub_type', 'mark', 'conn_buffer_limit_bytes', 'spec',
    'lb_subset_config', 'original_dst_lb_config', 'cluster_manager_tls', 'keepalive',
    'lbconfig', 'dns_refresh_rate', 'respect_dns_ttl', 'dns_lookup_family', 'dns_resolvers',
    'dns_resolver_file', 'dns_resolver_port', 'slow_start', 'cluster_pool_enable',
  ],
  host: ['hostname', 'metadata', 'tls_disable'],
  workers: [],
  plugin: [],
  streamFilter: [],
  pluginFilter: [],
  filterCache: [],
  hashPolicy: [],
  headerHashPolicy: [],
  // Both make the proxy set the cookie when the request has none (Envoy's cookie generation).
  cookieHashPolicy: ['path', 'ttl'],
  sourceIpHashPolicy: [],
  healthCheck: ['common_callbacks', 'event_log_path', 'initial_delay_seconds'],
  checkConfig: [],
  httpCheckConfig: ['method', 'scheme', 'domain'],
  circuitBreaker: ['priority'],
  outlierDetection: [],
  rateLimitFilter: [],
  rateLimit: [],
  rateLimitAction: [],
  rateLimitActionBody: [],
  localRateLimitFilter: [],
  accessLogFilter: [],
  accessLog: [],
  metrics: ['sinks', 'stats_matcher', 'shm_zone', 'shm_size', 'flush_mosn', 'lazy_flush'],
  admin: [],
  adminAddress: ['pipe'],
  socketAddress: ['protocol', 'named_port', 'resolver_name', 'ipv4_compat'],
};

/** Values MOSN accepts for an enumerated setting that MOSN.ts does not support yet. */
export const MOSN_UNSUPPORTED_VALUES = {
  networkFilterType: [
    'connection_manager', 'udp_proxy', 'fault_inject', 'rpc_proxy', 'x_proxy', 'transcoder', 'grpc',
    'tunnel',
  ],
  streamFilterType: [
    'fault', 'faultinject', 'healthcheck', 'mixer', 'gzip', 'dsl', 'flowcontrol', 'payloadlimit',
    'stats', 'transcoder', 'mirror', 'ipaccess', 'grpcmetric', 'seata', 'proxywasm', 'header_to_metadata',
  ],
  protocol: ['Auto', 'Http2', 'X', 'bolt', 'boltv2', 'dubbo', 'tars'],
  clusterType: ['STATIC', 'DYNAMIC', 'EDS', 'ORIGINAL_DST', 'STRICT_DNS'],
  lbType: ['LB_ORIGINAL_DST', 'LB_REQUEST_ROUNDROBIN', 'LB_LEAST_CONNECTION', 'LB_PEAK_EWMA'],
} as const satisfies Record<string, readonly string[]>;

/** Message for a key that is neither ours nor MOSN's, or MOSN's but not supported yet. */
export function keyMessage(kind: ObjectKind, key: string, supported: readonly string[]): string {
  const noun = OBJECT_KINDS[kind];
  if (MOSN_UNSUPPORTED_KEYS[kind].includes(key)) {
    return `"${key}" is a MOSN ${noun} option that MOSN.ts does not support yet`;
  }
  const guess = closest(key, [...supported, ...MOSN_UNSUPPORTED_KEYS[kind]]);
  if (guess !== undefined) return `unknown key "${key}" in a ${noun}; did you mean "${guess}"?`;
  return `unknown key "${key}" in a ${noun}; expected one of ${supported.map((k) => `"${k}"`).join(', ')}`;
}

/** The candidate nearest to `word` by edit distance, if it is near enough to be a typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d <= bestDistance) {
      best = candidate;
      bestDistance = d - 1;
    }
  }
  return best;
}

// Damerau-Levenshtein (adjacent transpositions count once: "prot" → "port" is one edit).
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const prev = rows[i - 1] ?? [];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      }
      row.push(d);
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? Math.max(a.length, b.length);
}
