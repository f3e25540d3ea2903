import { ControlReopenLogs } from '@mosn/ipc-protocol';
import { EXIT } from '../exit-codes.js';
import { withControl } from '../control-client.js';
import { reportError } from '../report-error.js';

/** `mosnctl logs reopen`: the logging plugins reopen their files (what SIGUSR1 to the supervisor does). */
export async function logsReopenCommand(options: { config: string }): Promise<number> {
  try {
    const { plugins } = await withControl(options.config, (connection) => connection.sendRequest(ControlReopenLogs));
    process.stdout.write(plugins.length === 0 ? 'no running plugin reopens logs\n' : `asked to reopen their logs: ${plugins.join(', ')}\n`);
    return EXIT.ok;
  } catch (err) {
    reportError(err);
    return EXIT.failed;
  }
}
