import { ControlPluginList, ControlPluginRestart, type PluginStatus } from '@mosn/ipc-protocol';
import { EXIT } from '../exit-codes.js';
import { withControl } from '../control-client.js';
import { reportError } from '../report-error.js';
import { formatTable } from '../table.js';

export async function pluginListCommand(options: { config: string; json?: boolean | undefined }): Promise<number> {
  try {
    const plugins = await withControl(options.config, (connection) => connection.sendRequest(ControlPluginList));
    process.stdout.write(options.json === true ? `${JSON.stringify(plugins, null, 2)}\n` : `${formatPlugins(plugins)}\n`);
    return EXIT.ok;
  } catch (err) {
    reportError(err);
    return EXIT.failed;
  }
}

/** Replaces the plugin's process and resets its crash-loop breaker. */
export async function pluginRestartCommand(name: string, options: { config: string; json?: boolean | undefined }): Promise<number> {
  try {
    const status = await withControl(options.config, (connection) => connection.sendRequest(ControlPluginRestart, { name }));
    process.stdout.write(options.json === true ? `${JSON.stringify(status, null, 2)}\n` : `plugin ${status.name} restarted: pid ${status.pid ?? '-'}, ${status.state}\n`);
    return EXIT.ok;
  } catch (err) {
    reportError(err);
    return EXIT.failed;
  }
}

export function formatPlugins(plugins: readonly PluginStatus[]): string {
  if (plugins.length === 0) return 'no plugins configured';
  return formatTable(
    ['PLUGIN', 'PID', 'STATE', 'RESTARTS', 'LAST EXIT', 'SOCKET'],
    plugins.map((p) => [p.name, String(p.pid ?? '-'), p.state, String(p.restarts), p.lastExit ?? '-', p.socket ?? '-']),
  );
}
