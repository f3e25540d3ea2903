// The whole public surface of @mosn/config.

export { loadConfig, parseConfig } from './load.js';
export { parseDuration, formatDuration } from './duration.js';
export { ConfigError, CONFIG_ERROR_CODES, formatIssue } from './errors.js';
export type { ConfigErrorCode, ConfigIssue } from './errors.js';
export type {
  MosnConfig,
  DurationMs,
  LogLevel,
  WorkersConfig,
  ListenerConfig,
  FilterChainConfig,
  NetworkFilterConfig,
  ProxyFilterConfig,
  TcpProxyFilterConfig,
  RouterConfig,
  VirtualHostConfig,
  RouteConfig,
  RouteMatchConfig,
  HeaderMatcherConfig,
  RouteActionConfig,
  DirectResponseConfig,
  ClusterConfig,
  HostConfig,
  FailureMode,
  PluginConfig,
  StreamFilterConfig,
} from './types.js';
