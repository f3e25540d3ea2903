import { loadConfig, type MosnConfig } from '@mosn/config';
import { connectUnix, createIpcConnection } from '@mosn/ipc-protocol';
import { pino } from 'pino';
import type { MessageConnection } from '@mosn/ipc-protocol';
import { controlSocketPath } from '../control/socket-path.js';
import { SUPERVISOR_ERROR_CODES, SupervisorError } from '../errors.js';

/** Connects to the supervisor of `configFile` (found through the config's uds_dir), runs `use`, disconnects. */
export async function withControl<T>(configFile: string, use: (connection: MessageConnection, config: MosnConfig) => Promise<T>): Promise<T> {
  const config = await loadConfig(configFile);
  const path = controlSocketPath(config);
  let socket;
  try {
    socket = await connectUnix(path, { timeoutMs: 2000 });
  } catch (err) {
    const reason = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new SupervisorError(SUPERVISOR_ERROR_CODES.notRunning, `no supervisor is running for ${config.source}: nothing answers on ${path} (${reason})`, { cause: err });
  }
  // Transport trouble is reported through the failing call; keep the log for the rare details.
  const connection = createIpcConnection(socket, { logger: pino({ level: 'warn' }, pino.destination(2)) });
  connection.listen();
  try {
    return await use(connection, config);
  } catch (err) {
    if (err instanceof SupervisorError) throw err;
    throw new SupervisorError(SUPERVISOR_ERROR_CODES.control, `control call failed: ${(err as Error).message}`, { cause: err });
  } finally {
    connection.dispose();
    socket.destroy();
  }
}
