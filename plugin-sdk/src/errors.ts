/**
 * Stable codes for everything the SDK can fail with. Callers (and the supervisor, through
 * `PluginErrorData.code` in RPC errors) match on `code`, never on the message.
 */
export const PLUGIN_SDK_ERROR_CODES = Object.freeze({
  /** The process was started by hand, not by mosnctl: no magic cookie in the environment. */
  notLaunched: 'MOSN_ERR_PLUGIN_NOT_LAUNCHED',
  /** The launch environment is incomplete or speaks no protocol version the SDK knows. */
  environment: 'MOSN_ERR_PLUGIN_ENVIRONMENT',
  /** The plugin's definition (what the author passed to `serve`) is not usable. */
  definitionInvalid: 'MOSN_ERR_PLUGIN_DEFINITION_INVALID',
  /** The plugin could not start serving (listen on its socket failed). */
  start: 'MOSN_ERR_PLUGIN_START',
  /** The config does not match the plugin's schema. */
  configInvalid: 'MOSN_ERR_PLUGIN_CONFIG_INVALID',
  /** The author's `setup` threw. */
  setupFailed: 'MOSN_ERR_PLUGIN_SETUP_FAILED',
  /** A client presented no secret or a wrong one in `plugin/initialize`. */
  unauthorized: 'MOSN_ERR_PLUGIN_UNAUTHORIZED',
  /** A request arrived on a connection before `plugin/initialize` succeeded on it. */
  notInitialized: 'MOSN_ERR_PLUGIN_NOT_INITIALIZED',
  /** `plugin/initialize` asked for a protocol version the SDK does not speak. */
  protocolVersion: 'MOSN_ERR_PLUGIN_PROTOCOL_VERSION',
  /** A message from the proxy does not fit the protocol (e.g. a `plugin/logRecords` whose `lines` is not a list). */
  requestInvalid: 'MOSN_ERR_PLUGIN_REQUEST_INVALID',
  /** A hook the plugin does not provide was called. */
  hookNotProvided: 'MOSN_ERR_PLUGIN_HOOK_NOT_PROVIDED',
  /** A hook threw; the plugin keeps running. */
  hookFailed: 'MOSN_ERR_PLUGIN_HOOK_FAILED',
  /** A hook returned something that is not a valid result for it. */
  hookResultInvalid: 'MOSN_ERR_PLUGIN_HOOK_RESULT_INVALID',
  /** Work arrived after shutdown began. */
  shuttingDown: 'MOSN_ERR_PLUGIN_SHUTTING_DOWN',
  /** In-flight calls or the author's `shutdown` did not finish within the bound. */
  shutdownTimeout: 'MOSN_ERR_PLUGIN_SHUTDOWN_TIMEOUT',
  /** The process that launched the plugin is gone; the plugin exits. */
  parentGone: 'MOSN_ERR_PLUGIN_PARENT_GONE',
} as const);

export type PluginSdkErrorCode = (typeof PLUGIN_SDK_ERROR_CODES)[keyof typeof PLUGIN_SDK_ERROR_CODES];

export class PluginSdkError extends Error {
  readonly code: PluginSdkErrorCode;

  constructor(code: PluginSdkErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PluginSdkError';
    this.code = code;
  }
}

/** A `PluginSdkError` for an invalid config also carries each problem with its path. */
export class PluginConfigError extends PluginSdkError {
  readonly issues: readonly { readonly path: readonly (string | number)[]; readonly message: string }[];

  constructor(message: string, issues: PluginConfigError['issues']) {
    super(PLUGIN_SDK_ERROR_CODES.configInvalid, message);
    this.name = 'PluginConfigError';
    this.issues = issues;
  }
}

/** The message of anything thrown, for "found …" parts of messages. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : `a non-error value (${typeof error})`;
}
