/**
 * `serve(definition)`: the whole life of a plugin process.
 *
 *   read env (no cookie → exit 1) → logger on stderr → check the definition → listen on the socket
 *   → print the handshake line on stdout (the only line ever printed there) → serve sessions
 *   → plugin/shutdown + plugin/exit, SIGTERM/SIGINT, or the parent gone → exit
 *
 * `serve` is the plugin's entry point and owns the process, so it is the SDK's one place that
 * calls `process.exit`.
 */
import { formatHandshake } from '@mosn/ipc-protocol';
import type { z } from 'zod';
import { checkDefinition } from './definition.js';
import type { AnyPluginDefinition } from './definition.js';
import { readEnvironment } from './environment.js';
import type { PluginEnvironment } from './environment.js';
import { PLUGIN_SDK_ERROR_CODES, messageOf } from './errors.js';
import { createPluginLogger, routeConsoleToStderr } from './logger.js';
import { watchParent } from './parent-watchdog.js';
import { PluginServer } from './plugin-server.js';
import type { ConfigSchema, PluginDefinition } from './types.js';

/**
 * Runs the plugin: resolves once it serves (the handshake line is printed). Exits the process
 * with 1 when not launched by mosnctl, or when the definition or the socket is unusable.
 */
export async function serve<Schema extends ConfigSchema = z.ZodUnknown, State = undefined>(
  definition: PluginDefinition<Schema, State>,
): Promise<void> {
  const label = typeof definition?.name === 'string' ? definition.name : 'plugin';
  let env: PluginEnvironment;
  try {
    env = readEnvironment(process.env);
  } catch (error) {
    // Plain text: most likely a person ran the plugin by hand and should read this.
    process.stderr.write(`${label}: ${messageOf(error)}\n`);
    process.exit(1);
  }
  routeConsoleToStderr();
  const logger = createPluginLogger({ name: env.name, level: env.logLevel });
  process.on('uncaughtExceptionMonitor', (error) => logger.fatal({ err: error }, `plugin ${env.name} crashed: ${error.message}`));

  const exit = (code: number, reason: string): void => {
    logger.info({ exitCode: code, reason }, `plugin ${env.name} exiting`);
    process.exit(code);
  };
  const fatal = (error: unknown): never => {
    logger.fatal({ err: error, code: (error as { code?: unknown }).code }, messageOf(error));
    process.exit(1);
  };

  const anyDefinition = definition as unknown as AnyPluginDefinition;
  try {
    checkDefinition(anyDefinition);
  } catch (error) {
    fatal(error);
  }
  const server = new PluginServer({ definition: anyDefinition, socketPath: env.socketPath, secret: env.secret, name: env.name, logger, exit });
  try {
    await server.listen();
  } catch (error) {
    fatal(error);
  }
  process.stdout.write(`${formatHandshake({ pluginVersion: definition.version, socketPath: env.socketPath })}\n`);
  logger.info({ socket: env.socketPath, version: definition.version }, `plugin ${env.name} serving`);

  const stopGracefully = (reason: string): void => {
    void server.shutdown(reason).then(() => server.exit(reason, 0));
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => stopGracefully(signal));
  watchParent({
    onParentGone: (parentPid) => {
      logger.warn({ code: PLUGIN_SDK_ERROR_CODES.parentGone, parentPid }, `plugin ${env.name}: parent process ${parentPid} is gone; shutting down`);
      stopGracefully('parent gone');
    },
  });
}
