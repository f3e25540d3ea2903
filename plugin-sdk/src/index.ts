// The whole public surface of @mosn/plugin-sdk. In-process testing lives in the
// `@mosn/plugin-sdk/testing` subpath (src/testing.ts).

export { serve } from './serve.js';
export { duration, parseDuration } from './duration.js';
export { ThrottledLog } from './throttled-log.js';
export type { ThrottledLogOptions } from './throttled-log.js';
export { PLUGIN_SDK_ERROR_CODES, PluginConfigError, PluginSdkError } from './errors.js';
export type { PluginSdkErrorCode } from './errors.js';
export type {
  AccessLogBytes,
  AccessLogLines,
  AccessLogRecord,
  AccessLogTarget,
  CallRequest,
  CallResult,
  CheckRequest,
  CheckRequestAllow,
  CheckRequestDeny,
  CheckRequestResult,
  ConfigSchema,
  HookContext,
  HostApi,
  LogByteBatch,
  LogLineBatch,
  LogRecordBatch,
  MetricJson,
  MetricsReport,
  PluginDefinition,
  PluginHookName,
  PluginHooks,
  PluginLogger,
  RateLimitDescriptor,
  RateLimitDescriptorStatus,
  RateLimitRequest,
  RateLimitResult,
  SetupContext,
} from './types.js';

// zod, re-exported so that a plugin declares its config schema without its own zod dependency
// (and with the same zod the SDK validates with).
export { z } from 'zod';
