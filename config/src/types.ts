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
}

/**
 * `auth` and `plugin` both ask a plugin's request check; they differ in defaults: `auth` fails
 * closed with 403, `plugin` follows the plugin's failure_mode (default open) with 503.
 */
export interface StreamFilterConfig {
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

export interface FilterChainConfig {
  /** Exactly one network filter for now. */
  filters: NetworkFilterConfig[];
}

export type NetworkFilterConfig = ProxyFilterConfig | TcpProxyFilterConfig;

export interface ProxyFilterConfig {
  type: 'proxy';
  config: {
    /** Default "Http1" (the only protocol so far), also for upstream_protocol. */
    downstream_protocol: 'Http1';
    upstream_protocol: 'Http1';
    router_config_name: string;
  };
}

export interface TcpProxyFilterConfig {
  type: 'tcp_proxy';
  config: {
    cluster: string;
    /** Close the pair after this long without bytes either way; 0 = never. Default 90s. */
    idle_timeout: DurationMs;
  };
}

export interface RouterConfig {
  router_config_name: string;
  virtual_hosts: VirtualHostConfig[];
}

export interface VirtualHostConfig {
  name: string;
  /** Unique within a router config: a domain selects exactly one virtual host. */
  /** Non-empty. "*", exact host names, or wildcards "*.example.com" / "example.*". Lower-cased. */
  domains: string[];
  routers: RouteConfig[];
}

export interface RouteConfig {
  match: RouteMatchConfig;
  /** Exactly one of `route` and `direct_response` is set. */
  route: RouteActionConfig | undefined;
  direct_response: DirectResponseConfig | undefined;
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
  value: string;
  /** When true, `value` is a regular expression matched against the whole header value. */
  regex: boolean;
}

export interface RouteActionConfig {
  cluster_name: string;
  /** Whole-request timeout; 0 = none. Default 15s (Envoy's default). */
  timeout: DurationMs;
  /** Replaces the matched prefix (or the whole path, for a `path` match); never set with `regex`. */
  prefix_rewrite: string | undefined;
  host_rewrite: string | undefined;
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
  /** Default (and only value so far) "LB_ROUNDROBIN". */
  lb_type: 'LB_ROUNDROBIN';
  /** Default 3s. */
  connect_timeout: DurationMs;
  /** An idle pooled upstream connection is closed after this long; 0 = never. Default 90s. */
  idle_timeout: DurationMs;
  /** Requests per upstream connection before it is closed; 0 = unlimited. */
  max_request_per_conn: number;
  /** May be empty: requests routed to the cluster then get 503. */
  hosts: HostConfig[];
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
