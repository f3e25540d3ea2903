// The effective configuration after loading, validation and defaults.
//
// Field names follow MOSN's v2 format (snake_case, as in the file) so that what an operator reads
// in the docs is what the code uses. Two deliberate differences from the file:
// - every duration is a number of milliseconds (the file says "30s", "250ms");
// - addresses are also split into `host` and `port`.
// Everything here is plain JSON data (no RegExp, no class instances): the supervisor sends it to
// workers over the IPC channel as it is.

/** Milliseconds. */
export type DurationMs = number;

export interface MosnConfig {
  /** Absolute path of the file this was loaded from (or a label such as "<inline>"). */
  source: string;
  /** Pid file path, absolute; undefined when not configured. */
  pid: string | undefined;
  /** Directory of the control socket (`mosn.sock`), absolute. Default: the config file's folder. */
  uds_dir: string;
  /** Log level from `servers[0].default_log_level`, lower-cased pino level. Default "info". */
  log_level: LogLevel;
  workers: WorkersConfig;
  listeners: ListenerConfig[];
  routers: RouterConfig[];
  clusters: ClusterConfig[];
  /** Our extension (top-level key `plugins`): out-of-process extensions the supervisor runs. */
  plugins: PluginConfig[];
  /** MOSN's `metrics` key, with our fields: recording in every worker, reports to management plugins. */
  metrics: MetricsConfig;
  /** MOSN's `admin.address` as "host:port"; passed to plugins (the management plugin serves it). */
  admin_address: string | undefined;
}

export interface MetricsConfig {
  /** Default true. Off: workers record nothing and send no reports. */
  enabled: boolean;
  /** How often workers and the supervisor report to plugins serving `metrics`. Default 1s. */
  flush_interval: DurationMs;
}

export type FailureMode = 'closed' | 'open';

export interface PluginConfig {
  name: string;
  /** The executable; a relative path with a slash is resolved against the config file's folder. */
  command: string;
  args: string[];
  /** Added to the plugin's environment (which is otherwise the supervisor's). */
  env: Record<string, string>;
  /** Handed to the plugin in `initialize`, validated there by the plugin's own schema. */
  config: unknown;
  /** Per-call timeout for workers' calls. Default 200ms. */
  timeout: DurationMs;
  /** What a stream filter does when the plugin cannot answer; undefined: the filter's default. */
  failure_mode: FailureMode | undefined;
  /** Time allowed from launch to the handshake line and a successful initialize. Default 5s. */
  start_timeout: DurationMs;
  /**
   * Scheduling niceness of the plugin process, 0 (the supervisor's) to 19 (lowest). A plugin off
   * the request path (access logs) that shares a core with workers preempts them less at 10.
   */
  nice: number;
  /** The working directory of the plugin process: the config file's folder. */
  cwd: string;
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** Our extension (top-level key `workers`). */
export interface WorkersConfig {
  /** Number of forwarding workers. Default: os.availableParallelism(). */
  count: number;
  /** How long a draining worker may take to finish in-flight work. Default 30s. */
  drain_timeout: DurationMs;
  /** How long a starting worker may take to report ready before its generation is abandoned. Default 10s. */
  ready_timeout: DurationMs;
}

export interface ListenerConfig {
  name: string;
  /** As written, e.g. "127.0.0.1:8080". */
  address: string;
  /** Without brackets for IPv6 ("::1"), ready for net.listen. */
  host: string;
  /** 0..65535; 0 asks the kernel for a free port. */
  port: number;
  /** Default true (MOSN's default is false, which only means something with use_original_dst). */
  bind_port: boolean;
  /** Exactly one chain for now. */
  filter_chains: FilterChainConfig[];
  /** HTTP stream filters run on each request of the listener's `proxy` filter, in order. */
  stream_filters: StreamFilterConfig[];
  /** MOSN's access_logs, written by the plugin of the listener's `access_log` stream filter. */
  access_logs: AccessLogConfig[];
  /**
   * MOSN's connection_idle_timeout (proxy listeners): a downstream connection with no request in
   * progress is closed after this long; 0 = never. Undefined: the default, 60s.
   */
  connection_idle_timeout?: DurationMs | undefined;
}

/** The HTTP stream filters of a listener, by `type`. */
export type StreamFilterConfig = CheckFilterConfig | RateLimitFilterConfig | LocalRateLimitFilterConfig | AccessLogFilterConfig;

/**
 * `auth` and `plugin` both ask a plugin's request check; they differ in defaults: `auth` fails
 * closed with 403, `plugin` follows the plugin's failure_mode (default open) with 503.
 */
export interface CheckFilterConfig {
  type: 'auth' | 'plugin';
  config: {
    /** Name of an entry of `plugins`. */
    plugin: string;
    failure_mode: FailureMode;
    /** Status answered when failing closed. Default 403 for auth, 503 for plugin. */
    failure_status: number;
    /** Cache allow/deny decisions by the value of one request header, for `ttl`. */
    cache: { header: string; ttl: DurationMs; max_entries: number } | undefined;
  };
}

/** One action of an Envoy-style rate limit: each adds one entry to the descriptor. */
export type RateLimitActionConfig =
  | { type: 'remote_address' }
  | { type: 'generic_key'; descriptor_key: string; descriptor_value: string }
  /** Lower-case `header_name` (or `:path`, `:method`, `:authority`); absent header → no descriptor unless skip_if_absent. */
  | { type: 'request_headers'; header_name: string; descriptor_key: string; skip_if_absent: boolean }
  | { type: 'destination_cluster' };

/** `rate_limit`: global limits decided by a plugin (Envoy's RLS semantics), one RPC per request. */
export interface RateLimitFilterConfig {
  type: 'rate_limit';
  config: {
    plugin: string;
    domain: string;
    /** Envoy's `rate_limits`: each entry's actions build one descriptor. */
    rate_limits: { actions: RateLimitActionConfig[] }[];
    /** Default open: a limiter that cannot answer must not take traffic down. */
    failure_mode: FailureMode;
    /** Bound on the plugin's answer; default 20ms. */
    timeout: DurationMs;
    /** Status when over the limit; default 429. */
    status: number;
    /** Status when failing closed; default 503. */
    failure_status: number;
  };
}

/** `local_rate_limit`: a token bucket in each worker, no coordination (Envoy's local_ratelimit). */
export interface LocalRateLimitFilterConfig {
  type: 'local_rate_limit';
  config: {
    max_tokens: number;
    tokens_per_fill: number;
    fill_interval: DurationMs;
    /** Default 429. */
    status: number;
  };
}

/** `access_log`: the listener's `access_logs` sent, batched, to a logging plugin. */
export interface AccessLogFilterConfig {
  type: 'access_log';
  config: {
    plugin: string;
    /** Records per batch (a batch is sent when full, at 4 MiB of lines, or after flush_interval). Default 16000. */
    batch_size: number;
    /** Default 500ms. */
    flush_interval: DurationMs;
    /** Records a worker holds while the plugin is away or slow; beyond, the oldest are dropped and counted. Default 40000. */
    queue_size: number;
  };
}

/** One of a listener's MOSN `access_logs`. */
export interface AccessLogConfig {
  log_path: string;
  /** MOSN `%variable%` format; undefined: JSON lines. */
  log_format: string | undefined;
  /** Derived from the format: the headers it prints (lower-case). */
  request_headers: string[];
  response_headers: string[];
}

export interface FilterChainConfig {
  /** Exactly one network filter for now. */
  filters: NetworkFilterConfig[];
  /**
   * TLS termination (MOSN's `tls_context`, or several in `tls_context_set` chosen by SNI; the first
   * is the default). Undefined or empty: plain TCP.
   */
  tls_contexts?: TlsContextConfig[] | undefined;
}

export type TlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

/**
 * MOSN's tls_context, checked at load: certificate, key and CA are read (from a file, or inline
 * PEM as MOSN allows), parsed, and the key matched against the certificate. The PEM text travels
 * to the workers, so they never read the files themselves.
 */
export interface TlsContextConfig {
  /** PEM certificate chain (leaf first); required on a listener, optional on a cluster (client certificate). */
  cert_chain: string | undefined;
  private_key: string | undefined;
  /** PEM CA bundle: verifies client certificates (listener) or the upstream (cluster). */
  ca_cert: string | undefined;
  /** Listener: one more name for SNI selection. Cluster: the SNI and the name verified in the upstream's certificate. */
  server_name: string | undefined;
  /** Listener: names this context answers for in SNI (certificate CN and DNS SANs, server_name), lower-case. */
  sni_names: string[];
  /** Listener: verify a client certificate against ca_cert when one is sent. */
  verify_client: boolean;
  /** Listener: ask for a client certificate (with verify_client: refuse clients without a valid one). */
  require_client_cert: boolean;
  /** Cluster: do not verify the upstream's certificate (only when asked). */
  insecure_skip: boolean;
  min_version: TlsVersion | undefined;
  max_version: TlsVersion | undefined;
  /** ALPN protocols offered/accepted; only "http/1.1" so far. */
  alpn: string[];
  /** OpenSSL cipher list; undefined: Node's default. */
  cipher_suites: string | undefined;
  /** Where the certificate came from (file path or "inline"), for messages. */
  cert_source: string;
}

export type NetworkFilterConfig = ProxyFilterConfig | TcpProxyFilterConfig;

export interface ProxyFilterConfig {
  type: 'proxy';
  config: {
    /** Default "Http1" (the only protocol so far), also for upstream_protocol. */
    downstream_protocol: 'Http1';
    upstream_protocol: 'Http1';
    router_config_name: string;
    /** HTTP/1 limits (MOSN's extend_config, with our additions). Undefined: the defaults. */
    extend_config?: HttpProtocolConfig | undefined;
  };
}

/** Limits against slow and oversize clients, per proxy listener. */
export interface HttpProtocolConfig {
  /** MOSN's max_header_size: largest request head (request line, fields, blank line); larger gets 431. Default 60 KiB. */
  max_header_size: number;
  /** Most header fields in a request; more gets 431. Default 100. */
  max_header_count: number;
  /** Time from the first byte of a head (or accept) to its end; then 408. Default 60s. */
  header_read_timeout: DurationMs;
  /** Requests per downstream connection; the last response says Connection: close. 0 = unlimited (default). */
  max_requests_per_connection: number;
}

export interface TcpProxyFilterConfig {
  type: 'tcp_proxy';
  config: {
    cluster: string;
    /** Close the pair after this long without bytes either way; 0 = never. Default 90s. */
    idle_timeout: DurationMs;
  };
}

export interface RouterConfig extends HeaderOptionsConfig {
  router_config_name: string;
  virtual_hosts: VirtualHostConfig[];
}

export interface VirtualHostConfig extends HeaderOptionsConfig {
  name: string;
  /** Unique within a router config: a domain selects exactly one virtual host. */
  /** Non-empty. "*", exact host names, or wildcards "*.example.com" / "example.*". Lower-cased. */
  domains: string[];
  routers: RouteConfig[];
}

export interface RouteConfig {
  match: RouteMatchConfig;
  /** Exactly one of `route`, `direct_response` and `redirect` is set. */
  route: RouteActionConfig | undefined;
  direct_response: DirectResponseConfig | undefined;
  redirect?: RedirectConfig | undefined;
}

export interface RouteMatchConfig {
  /** Exactly one of prefix, path and regex is set; prefix and path start with "/". */
  prefix: string | undefined;
  path: string | undefined;
  /** Source of a regular expression matched against the whole path (anchored). */
  regex: string | undefined;
  headers: HeaderMatcherConfig[];
}

export interface HeaderMatcherConfig {
  /** Lower-cased header name. */
  name: string;
  /** '' when `present_match` is set. */
  value: string;
  /** When true, `value` is a regular expression matched against the whole header value. */
  regex: boolean;
  /** Envoy's `present_match`: the header only has to be there (any value). */
  present_match?: boolean | undefined;
}

export interface RouteActionConfig {
  /** Exactly one of cluster_name, cluster_header and weighted_clusters is set. */
  cluster_name: string | undefined;
  /** Lower-cased name of a request header whose value names the cluster. */
  cluster_header?: string | undefined;
  /** Clusters picked by weight (smooth weighted round robin per worker). */
  weighted_clusters?: WeightedClusterConfig[] | undefined;
  /** Whole-request timeout; 0 = none. Default 15s (Envoy's default). */
  timeout: DurationMs;
  /** Envoy's route idle_timeout: no byte either way for this long ends the exchange; 0/undefined = none. */
  idle_timeout?: DurationMs | undefined;
  /** Replaces the matched prefix (or the whole path, for a `path` match); never set with `regex`. */
  prefix_rewrite: string | undefined;
  /** Regular expression replacement on the path (query kept); never set with prefix_rewrite. */
  regex_rewrite?: RegexRewriteConfig | undefined;
  host_rewrite: string | undefined;
  /** Host header set to the chosen upstream host's address. */
  auto_host_rewrite?: boolean | undefined;
  retry_policy?: RetryPolicyConfig | undefined;
  request_headers_to_add?: HeaderValueOptionConfig[] | undefined;
  request_headers_to_remove?: string[] | undefined;
  response_headers_to_add?: HeaderValueOptionConfig[] | undefined;
  response_headers_to_remove?: string[] | undefined;
  /**
   * How to derive the request's hash key for a hashing load balancer (LB_MAGLEV). Tried in order;
   * the first that yields a value is the key. Set only when configured (non-empty).
   */
  hash_policy?: HashPolicyConfig[] | undefined;
}

/** One entry of a route's `hash_policy`: exactly one of the three is set. */
export type HashPolicyConfig =
  /** The value of a request header (`key` lower-cased). */
  | { header: { key: string } }
  /** The value of a cookie of the request. */
  | { cookie: { name: string } }
  /** The client's IP address. */
  | { source_ip: Record<string, never> };

export interface WeightedClusterConfig {
  name: string;
  /** 0..10000; the route's weights add up to more than 0. */
  weight: number;
}

export interface RegexRewriteConfig {
  /** Source of a regular expression (unanchored), every match replaced. */
  regex: string;
  /** Replacement; `$1`… refer to capture groups. */
  substitution: string;
}

/**
 * MOSN's retry_policy, with num_retries taken as written (MOSN retries max(3, n) times).
 * A retry happens before any response byte reached the client, and only when the request body
 * can be sent again (no body, or a body that was buffered whole under the replay limit).
 */
export interface RetryPolicyConfig {
  /** true: retry connect failures, resets, per-try timeouts and `status_codes`; false: connect failures only. */
  retry_on: boolean;
  /** Retries after the first try. Default 1. */
  num_retries: number;
  /** Per-try timeout (from the request sent to the response head); 0 = none. */
  retry_timeout: DurationMs;
  /** Statuses that are retried when retry_on is true; empty = any 5xx (MOSN's rule). */
  status_codes: number[];
}

/** MOSN's HeaderValueOption: `{header: {key, value}, append}`. */
export interface HeaderValueOptionConfig {
  /** As written (sent with this case). */
  key: string;
  value: string;
  /** true (default): add a field; false: replace any field of that name. */
  append: boolean;
}

/** MOSN's redirect action: the parts of the URL to change; the rest comes from the request. */
export interface RedirectConfig {
  /** 301 (default), 302, 303, 307 or 308. */
  response_code: number;
  path_redirect: string | undefined;
  host_redirect: string | undefined;
  /** "http" or "https". */
  scheme_redirect: string | undefined;
}

/** Header options of a router config or a virtual host (a route has them in its action). */
export interface HeaderOptionsConfig {
  request_headers_to_add?: HeaderValueOptionConfig[] | undefined;
  request_headers_to_remove?: string[] | undefined;
  response_headers_to_add?: HeaderValueOptionConfig[] | undefined;
  response_headers_to_remove?: string[] | undefined;
}

export interface DirectResponseConfig {
  /** 100..599. */
  status: number;
  body: string | undefined;
}

export interface ClusterConfig {
  name: string;
  /** Default (and only value so far) "SIMPLE". */
  type: 'SIMPLE';
  /** Default "LB_ROUNDROBIN" (in turn, weights ignored, as in MOSN). */
  lb_type: LbType;
  /** Default 3s. */
  connect_timeout: DurationMs;
  /** An idle pooled upstream connection is closed after this long; 0 = never. Default 90s. */
  idle_timeout: DurationMs;
  /** Requests per upstream connection before it is closed; 0 = unlimited. */
  max_request_per_conn: number;
  /** May be empty: requests routed to the cluster then get 503. */
  hosts: HostConfig[];
  /** TLS to the upstream hosts (MOSN's cluster tls_context); undefined: plain TCP. */
  tls_context?: TlsContextConfig | undefined;
  /** Active health checking; set only when configured. */
  health_check?: HealthCheckConfig | undefined;
  /** Limits of the cluster (per worker); set only when configured. */
  circuit_breakers?: CircuitBreakersConfig | undefined;
  /** Passive ejection of failing hosts (Envoy's names; MOSN has none); set only when configured. */
  outlier_detection?: OutlierDetectionConfig | undefined;
}

export type LbType = 'LB_ROUNDROBIN' | 'LB_WEIGHTED_ROUNDROBIN' | 'LB_RANDOM' | 'LB_LEAST_REQUEST' | 'LB_MAGLEV';

export interface HealthCheckConfig {
  /** "Http1": an HTTP GET of `check_config.http_check_config.path`; undefined: a TCP connect (MOSN's default session). */
  protocol: 'Http1' | undefined;
  /** Time allowed for one check. Default 1s. */
  timeout: DurationMs;
  /** From the end of one check to the start of the next. Default 10s. */
  interval: DurationMs;
  /** A random 0..interval_jitter is added to each interval. Default 0. */
  interval_jitter: DurationMs;
  /** Consecutive passes that make an unhealthy host healthy again. Default 1. */
  healthy_threshold: number;
  /** Consecutive failures that make a healthy host unhealthy. Default 1. */
  unhealthy_threshold: number;
  /** A label for logs (MOSN names stats with it); checks run without it. */
  service_name: string | undefined;
  /** From `check_config.http_check_config`; set exactly when protocol is "Http1". */
  http_check_config: HttpCheckConfig | undefined;
}

export interface HttpCheckConfig {
  /** Starts with "/". */
  path: string;
  /** Port to check instead of the host's; undefined: the host's port. */
  port: number | undefined;
  /** Statuses that pass. Default [200] (MOSN's rule). */
  expected_statuses: number[];
}

/** MOSN's `circuit_breakers` thresholds (one entry: MOSN.ts has no priorities). 0 = unlimited. */
export interface CircuitBreakersConfig {
  /** Upstream connections open at once, all hosts of the cluster together. */
  max_connections: number;
  /** Requests waiting for a connection while max_connections are open. */
  max_pending_requests: number;
  /** Requests in flight to the cluster. */
  max_requests: number;
  /** Retries in flight to the cluster. */
  max_retries: number;
}

export interface OutlierDetectionConfig {
  /** Consecutive 5xx responses or connect/reset failures that eject a host. Default 5. */
  consecutive_5xx: number;
  /** The n-th ejection of a host lasts n times this, up to max_ejection_time. Default 30s. */
  base_ejection_time: DurationMs;
  /** Default 300s. */
  max_ejection_time: DurationMs;
  /** Share of the cluster's hosts that may be ejected at once (at least one, never all). Default 10. */
  max_ejection_percent: number;
  /** Each interval a host spends back in service takes one off its ejection count. Default 10s. */
  interval: DurationMs;
}

export interface HostConfig {
  /** As written, e.g. "127.0.0.1:9000". */
  address: string;
  host: string;
  /** 1..65535. */
  port: number;
  /** 1..128, default 1. */
  weight: number;
}
