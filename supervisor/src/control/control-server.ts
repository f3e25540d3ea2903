// The control socket: `<uds_dir>/mosn.sock`, mode 0600, msgpack RPC. mosnctl talks to it.
// A client that sends garbage loses its own connection; the supervisor carries on.
import type { Server, Socket } from 'node:net';
import type { Logger } from 'pino';
import {
  ControlPluginList,
  ControlPluginRestart,
  ControlReload,
  ControlReopenLogs,
  ControlStatus,
  ControlStop,
  IPC_ERROR_CODES,
  RPC_ERROR_CODES,
  ResponseError,
  createIpcConnection,
  listenUnix,
  type PluginStatus,
  type ReloadErrorData,
  type ReloadResult,
  type StatusResult,
} from '@mosn/ipc-protocol';
import { SUPERVISOR_ERROR_CODES, SupervisorError } from '../errors.js';

export interface ControlTarget {
  status(): Promise<StatusResult>;
  stop(graceful: boolean): Promise<void>;
  reload(configPath?: string): Promise<ReloadResult>;
  pluginStatus(): PluginStatus[];
  pluginRestart(name: string): Promise<PluginStatus>;
  reopenLogs(): string[];
}

export class ControlServer {
  private constructor(
    readonly path: string,
    private readonly server: Server,
    private readonly sockets: Set<Socket>,
  ) {}

  static async open(path: string, target: ControlTarget, rootLogger: Logger): Promise<ControlServer> {
    const logger = rootLogger.child({ component: 'control' });
    const sockets = new Set<Socket>();
    let server: Server;
    try {
      server = await listenUnix(path, { onConnection: (socket) => accept(socket, sockets, target, logger), logger });
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === IPC_ERROR_CODES.socketInUse) {
        throw new SupervisorError(SUPERVISOR_ERROR_CODES.alreadyRunning, `a supervisor is already running for this config: its control socket ${path} answers`, { cause: err });
      }
      throw err;
    }
    logger.debug({ path }, 'control socket open');
    return new ControlServer(path, server, sockets);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }
}

function accept(socket: Socket, sockets: Set<Socket>, target: ControlTarget, logger: Logger): void {
  sockets.add(socket);
  socket.once('close', () => sockets.delete(socket));
  const connection = createIpcConnection(socket, { logger });
  connection.onRequest(ControlStatus, () => target.status());
  connection.onRequest(ControlStop, ({ graceful }) => {
    // Answer first: the stop closes this very socket.
    setImmediate(() => void target.stop(graceful).catch((err: unknown) => logger.error({ err }, 'stop failed')));
    return { accepted: true as const };
  });
  connection.onRequest(ControlPluginList, () => target.pluginStatus());
  connection.onRequest(ControlReopenLogs, () => ({ plugins: target.reopenLogs() }));
  connection.onRequest(ControlPluginRestart, async ({ name }) => {
    try {
      return await target.pluginRestart(name);
    } catch (err) {
      const code = typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : SUPERVISOR_ERROR_CODES.control;
      return new ResponseError(RPC_ERROR_CODES.failed, err instanceof Error ? err.message : String(err), { code });
    }
  });
  connection.onRequest(ControlReload, async ({ configPath }) => {
    try {
      return await target.reload(configPath);
    } catch (err) {
      // The caller (mosnctl reload) prints the message, the code and the failing worker's lines.
      const data: ReloadErrorData = {
        code: typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : SUPERVISOR_ERROR_CODES.control,
        workerLog: err instanceof SupervisorError ? [...err.workerLog] : [],
      };
      return new ResponseError<ReloadErrorData>(RPC_ERROR_CODES.failed, err instanceof Error ? err.message : String(err), data);
    }
  });
  connection.listen();
}
