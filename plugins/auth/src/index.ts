// The whole public surface of @mosn/plugin-auth: the plugin definition (to serve or test it),
// its config schema, and the stable deny reasons. The executable is src/main.ts.

export { AUTH_PLUGIN_VERSION, authPlugin } from './plugin.js';
export { authConfigSchema } from './policy.js';
export type { AuthPolicy } from './policy.js';
export type { AuthConfigInput } from './config.js';
export { AUTH_DENY_REASONS } from './errors.js';
export type { AuthDenyReason } from './errors.js';
