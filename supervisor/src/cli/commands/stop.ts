import { ControlStatus, ControlStop } from '@mosn/ipc-protocol';
import { SUPERVISOR_ERROR_CODES, SupervisorError } from '../../errors.js';
import { isProcessAlive as isAlive } from '../../process-alive.js';
import { EXIT } from '../exit-codes.js';
import { withControl } from '../control-client.js';
import { reportError } from '../report-error.js';

export interface StopOptions {
  config: string;
  fast?: boolean | undefined;
}

/** Asks the supervisor to stop and returns once the supervisor and every worker are gone. */
export async function stopCommand(options: StopOptions): Promise<number> {
  try {
    const { pids, drainMs } = await withControl(options.config, async (connection, config) => {
      const status = await connection.sendRequest(ControlStatus);
      await connection.sendRequest(ControlStop, { graceful: options.fast !== true });
      return { pids: [status.supervisor.pid, ...status.workers.map((w) => w.pid)], drainMs: config.workers.drain_timeout };
    });
    // The supervisor kills workers one second after the drain deadline; allow for that and a margin.
    const deadline = Date.now() + (options.fast === true ? 0 : drainMs) + 10_000;
    await waitForExit(pids, deadline);
    process.stdout.write(`stopped (supervisor pid ${pids[0]})\n`);
    return EXIT.ok;
  } catch (err) {
    reportError(err);
    return EXIT.failed;
  }
}

async function waitForExit(pids: number[], deadline: number): Promise<void> {
  let alive = pids.filter(isAlive);
  while (alive.length > 0) {
    if (Date.now() > deadline) {
      throw new SupervisorError(SUPERVISOR_ERROR_CODES.stopTimeout, `processes still running after the stop deadline: ${alive.join(', ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
    alive = alive.filter(isAlive);
  }
}
