import { ControlReload, ResponseError, type ReloadErrorData, type ReloadResult } from '@mosn/ipc-protocol';
import { EXIT } from '../exit-codes.js';
import { withControl } from '../control-client.js';
import { reportError } from '../report-error.js';

export interface ReloadOptions {
  config: string;
  json?: boolean | undefined;
}

/**
 * Asks the running supervisor to load FILE (and the worker code on disk) into a new generation.
 * Returns after the cut-over; the old generation drains in the background.
 */
export async function reloadCommand(options: ReloadOptions): Promise<number> {
  let outcome: { ok: true; result: ReloadResult } | { ok: false; error: ResponseError<ReloadErrorData> };
  try {
    outcome = await withControl(options.config, async (connection, config) => {
      try {
        return { ok: true, result: await connection.sendRequest(ControlReload, { configPath: config.source }) };
      } catch (err) {
        if (err instanceof ResponseError) return { ok: false, error: err as ResponseError<ReloadErrorData> };
        throw err;
      }
    });
  } catch (err) {
    reportError(err);
    return EXIT.failed;
  }
  if (!outcome.ok) {
    const data = outcome.error.data;
    const lines = [`mosnctl: reload failed, the running generation is unchanged: ${outcome.error.message}${data?.code === undefined ? '' : ` [${data.code}]`}`];
    if (data !== undefined && data.workerLog.length > 0) lines.push("last lines of the worker's output:", ...data.workerLog.map((l) => `  ${l}`));
    process.stderr.write(`${lines.join('\n')}\n`);
    return EXIT.failed;
  }
  const r = outcome.result;
  process.stdout.write(
    options.json === true
      ? `${JSON.stringify(r, null, 2)}\n`
      : `reloaded: generation ${r.generation}, workers ${r.pids.join(', ')}; draining ${r.draining.join(', ') || 'none'}; ${r.durationMs} ms` +
          `${r.listenersAdded.length > 0 ? `; listeners added: ${r.listenersAdded.join(', ')}` : ''}` +
          `${r.listenersRemoved.length > 0 ? `; listeners removed: ${r.listenersRemoved.join(', ')}` : ''}` +
          `${r.pluginsStarted.length > 0 ? `; plugins started: ${r.pluginsStarted.join(', ')}` : ''}` +
          `${r.pluginsRemoved.length > 0 ? `; plugins removed: ${r.pluginsRemoved.join(', ')}` : ''}\n`,
  );
  return EXIT.ok;
}
