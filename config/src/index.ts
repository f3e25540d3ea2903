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
  RetryPolicyConfig,
  WeightedClusterConfig,
  RegexRewriteConfig,
  HeaderValueOptionConfig,
  HeaderOptionsConfig,
  RedirectConfig,
  TlsContextConfig,
  TlsVersion,
  HttpProtocolConfig,
  ClusterConfig,
  HostConfig,
  LbType,
  HashPolicyConfig,
  HealthCheckConfig,
  HttpCheckConfig,
  CircuitBreakersConfig,
  OutlierDetectionConfig,
  FailureMode,
  PluginConfig,
  StreamFilterConfig,
  CheckFilterConfig,
  RateLimitFilterConfig,
  RateLimitActionConfig,
  LocalRateLimitFilterConfig,
  AccessLogFilterConfig,
  AccessLogConfig,
  MetricsConfig,
} from './types.js';
export { ACCESS_LOG_VARIABLES, parseLogFormat } from './access-log-format.js';
export type { AccessLogVariable, LogFormatToken, ParsedLogFormat } from './access-log-format.js';
