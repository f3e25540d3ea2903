/**
 * The plugin protocol: workers and the supervisor call these, a plugin (via @mosn/plugin-sdk)
 * serves them. Each method is declared once here and imported by both sides.
 *
 * Lifecycle on every connection:
 *
 *   plugin/initialize ─► plugin/initialized ─► hooks, heartbeats … ─► plugin/shutdown ─► plugin/exit
 *   (secret, role,        (notification)        (checkRequest, call)    (host only:        (host only,
 *    config from host)                                                   drain in-flight)   notification)
 *
 * The supervisor (role `host`) connects first and sends the plugin's config; workers (role
 * `worker`) connect after it and send none.
 */
import { NotificationType0, ParameterStructures, RequestType, RequestType0 } from 'vscode-jsonrpc/node';

/** Says "you were started as a MOSN.ts plugin"; it is not a secret (the per-launch secret is). */
export const PLUGIN_MAGIC_COOKIE = 'mosn-plugin-7b1f';

/** Version of the plugin method set below; the supervisor offers a list in `PLUGIN_ENV.protocolVersions`. */
export const PLUGIN_PROTOCOL_VERSION = 1;

/** Environment variables the supervisor sets when it launches a plugin. */
export const PLUGIN_ENV = Object.freeze({
  /** Must equal `PLUGIN_MAGIC_COOKIE`. */
  magicCookie: 'MOSN_PLUGIN_MAGIC_COOKIE',
  /** Plugin protocol versions the supervisor speaks, comma-separated, e.g. `1`. */
  protocolVersions: 'MOSN_PLUGIN_PROTOCOL_VERSIONS',
  /** Absolute path of the Unix socket the plugin serves (inside a 0700 runtime directory). */
  socket: 'MOSN_PLUGIN_SOCKET',
  /** Random per-launch secret every client presents in `plugin/initialize`. */
  secret: 'MOSN_PLUGIN_SECRET',
  /** The plugin's name in the proxy config. */
  name: 'MOSN_PLUGIN_NAME',
  /** Optional: pino level for the plugin's logs (default `info`). */
  logLevel: 'MOSN_PLUGIN_LOG_LEVEL',
  /** Optional: MOSN's `admin.address` ("host:port"), for the plugin that serves the admin API. */
  adminAddress: 'MOSN_ADMIN_ADDRESS',
} as const);

/** The hooks a plugin can serve, as listed in `PluginInitializeResult.hooks`. */
export const PLUGIN_HOOKS = Object.freeze(['checkRequest', 'call', 'rateLimit', 'logRecords', 'logLines', 'logBytes', 'reopenLogs', 'metrics'] as const);
export type PluginHookName = (typeof PLUGIN_HOOKS)[number];

/**
 * Application error codes specific to plugins, next to the generic `RPC_ERROR_CODES`
 * (same range, −31999…−31000, outside JSON-RPC's reserved one).
 */
export const PLUGIN_RPC_ERROR_CODES = Object.freeze({
  /** `plugin/initialize`: the config does not match the plugin's schema; the plugin exits after answering. */
  invalidConfig: -31100,
  /** A hook the plugin does not provide was called. */
  hookNotProvided: -31101,
  /** `plugin/initialize`: a protocol version the plugin does not speak. */
  protocolVersion: -31102,
} as const);

export type PluginRpcErrorCode = (typeof PLUGIN_RPC_ERROR_CODES)[keyof typeof PLUGIN_RPC_ERROR_CODES];

/** `data` of every `ResponseError` a plugin answers with. */
export interface PluginErrorData {
  /** Stable string code of the SDK, e.g. `MOSN_ERR_PLUGIN_CONFIG_INVALID`. */
  readonly code: string;
  /** For an invalid config: each problem with its path inside the plugin's `config`. */
  readonly issues?: readonly PluginConfigIssue[];
  /** When a hook failed: the `code` of what it threw, if it had one (e.g. `MOSN_ERR_RATE_LIMIT_BACKEND_TIMEOUT`). */
  readonly causeCode?: string;
}

export interface PluginConfigIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

export type PluginRole = 'host' | 'worker';

export interface PluginInitializeParams {
  readonly protocolVersion: number;
  /** The per-launch secret (`PLUGIN_ENV.secret`). A wrong one closes the connection. */
  readonly secret: string;
  readonly role: PluginRole;
  readonly workerId?: number;
  /** The plugin's `config` from the proxy config; sent by the host only. */
  readonly config?: unknown;
}

export interface PluginInitializeResult {
  readonly pluginVersion: string;
  /** The plugin's own name (from its code, not the config). */
  readonly name: string;
  readonly hooks: PluginHookName[];
  /** The compact wire forms the plugin reads (`WIRE_FEATURES`); absent: map forms only. */
  readonly wire?: readonly string[];
}

export type HeartbeatParams = Record<string, never>;

export interface HeartbeatResult {
  /** Milliseconds since the plugin process started. */
  readonly uptimeMs: number;
}

export interface CheckRequestRoute {
  readonly virtualHost: string;
  readonly cluster?: string;
}

export interface CheckRequestParams {
  readonly method: string;
  /** Path and query as received. */
  readonly path: string;
  readonly authority: string;
  /** Lower-case names; repeated headers joined with ", ". */
  readonly headers: Record<string, string>;
  readonly remoteAddress: string;
  readonly route?: CheckRequestRoute;
}

export interface CheckRequestAllow {
  readonly action: 'allow';
  /** Set on the request sent upstream. */
  readonly headersToAdd?: Record<string, string>;
}

export interface CheckRequestDeny {
  readonly action: 'deny';
  readonly status: number;
  readonly body?: string;
  readonly headers?: Record<string, string>;
}

export type CheckRequestResult = CheckRequestAllow | CheckRequestDeny;

/** MOSN's generic `Call{header, body}`. */
export interface CallParams {
  readonly header: Record<string, string>;
  readonly body: Uint8Array;
}

export interface CallResult {
  readonly status: number;
  readonly header: Record<string, string>;
  readonly body: Uint8Array;
}

export type ShutdownResult = Record<string, never>;

/** `plugin/initialize`: authenticate the connection; the host also delivers the config. */
export const PluginInitialize = new RequestType<PluginInitializeParams, PluginInitializeResult, PluginErrorData>(
  'plugin/initialize',
  ParameterStructures.byName,
);

/** `plugin/initialized`: the client has read the initialize result. */
export const PluginInitialized = new NotificationType0('plugin/initialized');

/** `plugin/heartbeat`: the host's liveness probe; a plugin that stops answering is restarted. */
export const PluginHeartbeat = new RequestType<HeartbeatParams, HeartbeatResult, PluginErrorData>(
  'plugin/heartbeat',
  ParameterStructures.byName,
);

/** `plugin/checkRequest`: the auth-like hook: allow (with headers to add upstream) or deny. */
export const PluginCheckRequest = new RequestType<CheckRequestParams, CheckRequestResult, PluginErrorData>(
  'plugin/checkRequest',
  ParameterStructures.byName,
);

/** `plugin/call`: the generic hook for anything else. */
export const PluginCall = new RequestType<CallParams, CallResult, PluginErrorData>('plugin/call', ParameterStructures.byName);

/** `plugin/shutdown` (host only): stop taking work, finish in-flight calls, then answer. */
export const PluginShutdown = new RequestType0<ShutdownResult, PluginErrorData>('plugin/shutdown');

/** `plugin/exit` (host only): exit now; with code 0 after a `plugin/shutdown`, 1 without. */
export const PluginExit = new NotificationType0('plugin/exit');
