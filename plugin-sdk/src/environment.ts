/**
 * What the supervisor hands a plugin at launch, read from the environment (go-plugin style).
 * The magic cookie only tells "started by mosnctl" from "started by hand"; access is guarded by
 * the 0700 socket directory and the per-launch secret.
 */
import { PLUGIN_ENV, PLUGIN_MAGIC_COOKIE, PLUGIN_PROTOCOL_VERSION } from '@mosn/ipc-protocol';
import { PLUGIN_SDK_ERROR_CODES, PluginSdkError } from './errors.js';

export const NOT_LAUNCHED_MESSAGE = 'this is a MOSN.ts plugin; it is started by mosnctl, not by hand';

const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

export interface PluginEnvironment {
  readonly socketPath: string;
  readonly secret: string;
  /** The plugin's name in the proxy config. */
  readonly name: string;
  /** The plugin protocol version both sides speak. */
  readonly protocolVersion: number;
  readonly logLevel: string;
}

/** Throws `MOSN_ERR_PLUGIN_NOT_LAUNCHED` without the cookie, `MOSN_ERR_PLUGIN_ENVIRONMENT` for the rest. */
export function readEnvironment(env: NodeJS.ProcessEnv): PluginEnvironment {
  if (env[PLUGIN_ENV.magicCookie] !== PLUGIN_MAGIC_COOKIE) {
    throw new PluginSdkError(PLUGIN_SDK_ERROR_CODES.notLaunched, NOT_LAUNCHED_MESSAGE);
  }
  const required = (key: string, what: string): string => {
    const value = env[key];
    if (value === undefined || value === '') {
      throw new PluginSdkError(PLUGIN_SDK_ERROR_CODES.environment, `expected ${key} (${what}) in the environment, found it missing or empty`);
    }
    return value;
  };
  const socketPath = required(PLUGIN_ENV.socket, 'the socket path to serve on');
  if (!socketPath.startsWith('/')) {
    throw new PluginSdkError(PLUGIN_SDK_ERROR_CODES.environment, `expected ${PLUGIN_ENV.socket} to be an absolute path, found ${JSON.stringify(socketPath)}`);
  }
  const secret = required(PLUGIN_ENV.secret, 'the per-launch secret');
  const name = required(PLUGIN_ENV.name, "the plugin's configured name");
  const offered = required(PLUGIN_ENV.protocolVersions, 'the protocol versions the supervisor speaks');
  const versions = offered.split(',').map((v) => v.trim());
  if (!versions.includes(String(PLUGIN_PROTOCOL_VERSION))) {
    throw new PluginSdkError(
      PLUGIN_SDK_ERROR_CODES.environment,
      `expected ${PLUGIN_ENV.protocolVersions} to offer plugin protocol version ${PLUGIN_PROTOCOL_VERSION}, found ${JSON.stringify(offered)}; upgrade the plugin or the proxy`,
    );
  }
  const logLevel = env[PLUGIN_ENV.logLevel] ?? 'info';
  if (!LOG_LEVELS.has(logLevel)) {
    throw new PluginSdkError(
      PLUGIN_SDK_ERROR_CODES.environment,
      `expected ${PLUGIN_ENV.logLevel} to be one of ${[...LOG_LEVELS].join(', ')}, found ${JSON.stringify(logLevel)}`,
    );
  }
  return { socketPath, secret, name, protocolVersion: PLUGIN_PROTOCOL_VERSION, logLevel };
}
