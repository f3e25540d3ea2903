// The whole public surface of @mosn/plugin-management: the plugin definition (to serve or test
// it), a factory with an injectable clock, its config schema, and its error codes. The
// executable is src/main.ts.

export { MANAGEMENT_PLUGIN_VERSION, createManagementPlugin, managementPlugin } from './plugin.js';
export type { ManagementPluginDefinition, ManagementPluginOptions, ManagementState } from './plugin.js';
export { ADMIN_ADDRESS_ENV, DEFAULT_ADMIN_ADDRESS, managementConfigSchema, parseAddress } from './config.js';
export type { AdminAddress, ManagementConfig, ManagementConfigInput } from './config.js';
export { MANAGEMENT_ERROR_CODES, ManagementError } from './errors.js';
export type { ManagementErrorCode } from './errors.js';
