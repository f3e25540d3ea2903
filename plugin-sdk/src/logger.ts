/**
 * The plugin's root logger: pino JSON lines on stderr (fd 2), since stdout carries only the
 * handshake line. The supervisor forwards these lines with the plugin's name and pid.
 */
import { Console } from 'node:console';
import { pino } from 'pino';
import type { DestinationStream } from 'pino';
import type { PluginLogger } from './types.js';

export interface PluginLoggerOptions {
  readonly name: string;
  readonly level: string;
  /** Where lines go; default stderr, written synchronously so that nothing is lost on exit. */
  readonly destination?: DestinationStream;
}

export function createPluginLogger(options: PluginLoggerOptions): PluginLogger {
  const destination = options.destination ?? pino.destination({ dest: 2, sync: true });
  // No hostname: the supervisor knows where its plugins run; pid tells restarts apart.
  return pino({ name: options.name, level: options.level, base: { pid: process.pid } }, destination);
}

/**
 * After the handshake, stdout must stay silent (a line there is noise to the supervisor, and a
 * pipe nobody drains blocks the process). An author's stray `console.log` goes to stderr instead.
 */
export function routeConsoleToStderr(): void {
  globalThis.console = new Console({ stdout: process.stderr, stderr: process.stderr });
}
