import { pino } from 'pino';
import { Supervisor } from '../../supervisor.js';
import { EXIT } from '../exit-codes.js';
import { reportError } from '../report-error.js';

export interface StartOptions {
  config: string;
  workers?: number | undefined;
}

/** Runs the supervisor in the foreground until it is stopped (signal or `mosnctl stop`). */
export async function startCommand(options: StartOptions): Promise<number> {
  // Synchronous writes: the supervisor logs little, and nothing may be lost at exit.
  const destination = pino.destination({ fd: 1, sync: true });
  const logger = pino({ base: { pid: process.pid } }, destination);
  const supervisor = new Supervisor({
    configPath: options.config,
    workers: options.workers,
    logger,
    output: { write: (line) => destination.write(`${line}\n`) },
  });

  // SIGTERM (systemd, kill, docker stop) drains; SIGINT (Ctrl+C) stops at once; SIGHUP reloads
  // (the supervisor logs the outcome; a failed reload changes nothing).
  const onTerm = (): void => void supervisor.stop(true);
  const onInt = (): void => void supervisor.stop(false);
  const onHup = (): void => void supervisor.reload().catch(() => undefined);
  // SIGUSR1: logging plugins reopen their files (logrotate's postrotate), as nginx does.
  const onUsr1 = (): void => void supervisor.reopenLogs();
  process.on('SIGUSR1', onUsr1);
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  process.on('SIGHUP', onHup);
  try {
    await supervisor.start();
  } catch (err) {
    reportError(err);
    return EXIT.failed;
  }
  // A plugin that cannot start does not stop the proxy, but the operator must see it at once.
  for (const plugin of supervisor.pluginStatus()) {
    if (plugin.state !== 'running') {
      process.stderr.write(`mosnctl: warning: plugin "${plugin.name}" is not running (${plugin.state}): ${plugin.lastExit ?? 'no reason recorded'}; its filters apply their failure mode\n`);
    }
  }
  await supervisor.stopped;
  process.off('SIGTERM', onTerm);
  process.off('SIGINT', onInt);
  process.off('SIGHUP', onHup);
  process.off('SIGUSR1', onUsr1);
  return EXIT.ok;
}
