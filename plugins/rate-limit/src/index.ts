// The whole public surface of @mosn/plugin-rate-limit: the plugin definition (to serve or test
// it), a factory with an injectable clock, its config schema, and its error codes. The
// executable is src/main.ts.

export { RATE_LIMIT_PLUGIN_VERSION, createRateLimitPlugin, rateLimitPlugin } from './plugin.js';
export type { RateLimitPluginDefinition, RateLimitPluginOptions, RateLimitState } from './plugin.js';
export { DEFAULT_KEY_PREFIX, RATE_LIMIT_UNIT_NAMES, rateLimitConfigSchema } from './config.js';
export type { DescriptorConfigInput, RateLimitConfig, RateLimitConfigInput, RateLimitUnitName } from './config.js';
export { RATE_LIMIT_ERROR_CODES, RateLimitError } from './errors.js';
export type { RateLimitErrorCode } from './errors.js';
