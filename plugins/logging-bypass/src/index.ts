// The whole public surface of @mosn/plugin-logging-bypass: the plugin definition (to serve or
// test it), its config schema and the error codes. The executable is src/main.ts. The formats
// are rendered by the worker (its access-log/ directory); this plugin writes the lines.

export { LOGGING_BYPASS_PLUGIN_VERSION, loggingBypassPlugin } from './plugin.js';
export { loggingBypassConfigSchema, parseByteSize } from './config.js';
export type { LoggingBypassConfig, LoggingBypassConfigInput, RotationConfig } from './config.js';
export { ACCESS_LOG_ERROR_CODES, AccessLogError } from './errors.js';
export type { AccessLogErrorCode } from './errors.js';
export type { AccessLogStats, AccessLogger } from './access-logger.js';
