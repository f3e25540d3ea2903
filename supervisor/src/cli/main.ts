// mosnctl: the operator's command line. Every command returns an exit code; only bin/ exits.
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { VERSION } from '../version.js';
import { checkCommand } from './commands/check.js';
import { logsReopenCommand } from './commands/logs.js';
import { pluginListCommand, pluginRestartCommand } from './commands/plugin.js';
import { reloadCommand } from './commands/reload.js';
import { startCommand } from './commands/start.js';
import { statusCommand } from './commands/status.js';
import { stopCommand } from './commands/stop.js';
import { EXIT } from './exit-codes.js';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a whole number of at least 1, found "${value}"`);
  return n;
}

export async function run(argv: readonly string[]): Promise<number> {
  let result: number = EXIT.ok;
  const program = new Command('mosnctl')
    .description('MOSN.ts: a network proxy with out-of-process plugins and zero-downtime reload')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError('(run mosnctl --help for usage)');

  const config = ['-c, --config <file>', 'config file (MOSN v2 format, JSON or YAML)'] as const;

  program
    .command('start')
    .description('run the proxy in the foreground (SIGTERM drains and stops, SIGINT stops at once)')
    .requiredOption(...config)
    .option('-w, --workers <n>', 'number of workers (overrides workers.count)', positiveInt)
    .action(async (o: { config: string; workers?: number }) => void (result = await startCommand(o)));

  program
    .command('stop')
    .description('stop the running proxy gracefully; returns when every process is gone')
    .requiredOption(...config)
    .option('--fast', 'do not drain: close connections at once')
    .action(async (o: { config: string; fast?: boolean }) => void (result = await stopCommand(o)));

  program
    .command('reload')
    .description('load the config (and worker code) from disk into a new generation of workers, then drain the old one')
    .requiredOption(...config)
    .option('--json', 'print JSON')
    .action(async (o: { config: string; json?: boolean }) => void (result = await reloadCommand(o)));

  program
    .command('status')
    .description('show the supervisor, listeners and workers')
    .requiredOption(...config)
    .option('--json', 'print JSON')
    .action(async (o: { config: string; json?: boolean }) => void (result = await statusCommand(o)));

  const plugin = program.command('plugin').description('list or restart out-of-process plugins');
  plugin
    .command('list')
    .description('every configured plugin: pid, state, restarts, last exit, socket')
    .requiredOption(...config)
    .option('--json', 'print JSON')
    .action(async (o: { config: string; json?: boolean }) => void (result = await pluginListCommand(o)));
  plugin
    .command('restart')
    .description("replace a plugin's process and reset its crash-loop breaker")
    .argument('<name>', 'plugin name from the config')
    .requiredOption(...config)
    .option('--json', 'print JSON')
    .action(async (name: string, o: { config: string; json?: boolean }) => void (result = await pluginRestartCommand(name, o)));

  program
    .command('logs')
    .description('access logs written by logging plugins')
    .command('reopen')
    .description('make the logging plugins reopen their files (after logrotate moved them); same as SIGUSR1')
    .requiredOption(...config)
    .action(async (o: { config: string }) => void (result = await logsReopenCommand(o)));

  program
    .command('check')
    .description('validate a config file without starting anything')
    .requiredOption(...config)
    .action(async (o: { config: string }) => void (result = await checkCommand(o)));

  try {
    await program.parseAsync(argv as string[]);
  } catch (err) {
    if (err instanceof CommanderError) {
      const shown = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help';
      return shown ? EXIT.ok : EXIT.usage;
    }
    throw err;
  }
  return result;
}
