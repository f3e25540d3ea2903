// The whole public surface of @mosn/plugin-logging-bypass: the plugin definition (to serve or
// test it), its config schema, the format language (variables, parser, compiler) and the error
// codes. The executable is src/main.ts.

export { LOGGING_BYPASS_PLUGIN_VERSION, loggingBypassPlugin } from './plugin.js';
export { loggingBypassConfigSchema, parseByteSize } from './config.js';
export type { LoggingBypassConfig, LoggingBypassConfigInput, RotationConfig } from './config.js';
export { ACCESS_LOG_HEADER_PREFIXES, ACCESS_LOG_VARIABLES } from './variables.js';
export type { AccessLogVariable } from './variables.js';
export { compileAccessLogFormat, parseAccessLogFormat } from './format.js';
export type { FormatToken, RecordRenderer } from './format.js';
export { createJsonLineFormatter } from './json-format.js';
export { ACCESS_LOG_ERROR_CODES, AccessLogError } from './errors.js';
export type { AccessLogErrorCode } from './errors.js';
export type { AccessLogStats, AccessLogger } from './access-logger.js';
