import { ControlStatus, type StatusResult } from '@mosn/ipc-protocol';
import { EXIT } from '../exit-codes.js';
import { withControl } from '../control-client.js';
import { reportError } from '../report-error.js';
import { formatTable, formatUptime } from '../table.js';
import { formatPlugins } from './plugin.js';

export async function statusCommand(options: { config: string; json?: boolean | undefined }): Promise<number> {
  try {
    const status = await withControl(options.config, (connection) => connection.sendRequest(ControlStatus));
    process.stdout.write(options.json === true ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status, Date.now()));
    return EXIT.ok;
  } catch (err) {
    reportError(err);
    return EXIT.failed;
  }
}

export function formatStatus(status: StatusResult, now: number): string {
  const s = status.supervisor;
  const head =
    `supervisor pid ${s.pid}, ${s.state}, generation ${s.generation}, up ${formatUptime(now - s.startedAt)}, version ${s.version}\n` +
    `config ${s.configPath}\n` +
    `served ${s.totals.requests} requests on ${s.totals.connections} connections; reloads ${s.reloads.ok} ok, ${s.reloads.failed} failed\n` +
    `access log records dropped: ${s.totals.accessLogDropped}\n`;
  const listeners = formatTable(
    ['LISTENER', 'ADDRESS', 'PORT'],
    status.listeners.map((l) => [l.name, l.address, String(l.port)]),
  );
  const workers = formatTable(
    ['WORKER', 'PID', 'GEN', 'STATE', 'UPTIME', 'CONNS', 'CONNS TOTAL', 'REQUESTS', 'REQ/S', 'LOG DROPS', 'RESTARTS'],
    status.workers.map((w) => [
      String(w.id),
      String(w.pid),
      String(w.generation),
      w.state,
      formatUptime(now - w.startedAt),
      String(w.connectionsActive),
      String(w.connectionsTotal),
      String(w.requestsTotal),
      w.requestsPerSecond.toFixed(1),
      String(w.accessLogDropped),
      String(w.restarts),
    ]),
  );
  const plugins = status.plugins.length === 0 ? '' : `\n${formatPlugins(status.plugins)}\n`;
  return `${head}\n${listeners}\n\n${workers}\n${plugins}`;
}
