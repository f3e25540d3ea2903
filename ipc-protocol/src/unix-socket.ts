import { chmodSync } from 'node:fs';
import { lstat, unlink } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import type { IpcLogger } from './connection.js';
import { IPC_ERROR_CODES, IpcError } from './errors.js';
import { ReceiveArena, registerReceiveArena, withReceiveArena } from './receive-arena.js';

/** sockaddr_un.sun_path is 108 bytes on Linux, including the terminating NUL. */
export const MAX_SOCKET_PATH_BYTES = 107;
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_PROBE_TIMEOUT_MS = 1_000;

export interface ConnectUnixOptions {
  /** Give up (and destroy the socket) after this long. Default 5000 ms. */
  readonly timeoutMs?: number;
}

/**
 * Connects to a Unix socket; rejects with `MOSN_ERR_IPC_CONNECT` or `MOSN_ERR_IPC_CONNECT_TIMEOUT`.
 * The socket reads into a receive arena (see receive-arena.ts), so it emits no 'data': read it only
 * through an `IpcMessageReader` (`createIpcConnection`).
 */
export function connectUnix(path: string, options: ConnectUnixOptions = {}): Promise<Socket> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const arena = new ReceiveArena();
    const socket = createConnection({ path, onread: arena.onread });
    registerReceiveArena(socket, arena);
    const timer = setTimeout(() => {
      socket.off('connect', onConnect).off('error', onError);
      // Keep a listener: a late error on a socket nobody watches would crash the process.
      socket.on('error', () => {});
      socket.destroy();
      reject(
        new IpcError(
          IPC_ERROR_CODES.connectTimeout,
          `connect to unix socket ${path}: expected a server to accept within ${timeoutMs} ms, found no answer`,
        ),
      );
    }, timeoutMs);
    const onConnect = (): void => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve(socket);
    };
    const onError = (error: NodeJS.ErrnoException): void => {
      clearTimeout(timer);
      socket.off('connect', onConnect);
      reject(
        new IpcError(
          IPC_ERROR_CODES.connect,
          `connect to unix socket ${path}: expected a listening server, found ${error.code ?? 'an error'} (${error.message})`,
          { cause: error },
        ),
      );
    };
    socket.once('connect', onConnect).once('error', onError);
  });
}

export interface ListenUnixOptions {
  /**
   * Called with every accepted socket; wrap it with `createIpcConnection` right away. The socket
   * reads into a receive arena (see receive-arena.ts), so it emits no 'data': read it only through
   * an `IpcMessageReader`. The server does not count it among its connections (`server.close()`
   * does not wait for it): keep track of the sockets and close them yourself.
   */
  readonly onConnection: (socket: Socket) => void;
  /** Where errors of the listening server (after it started) are logged. */
  readonly logger: IpcLogger;
  /** How long to wait for an existing socket file to answer before calling it stale. Default 1000 ms. */
  readonly probeTimeoutMs?: number;
}

/**
 * Listens on a Unix socket path with file mode 0600. A socket file left by a dead process is
 * removed first; a file that is not a socket, or a socket a live server still answers on, is
 * refused. The file is chmod-ed right after bind, before the first connection is accepted; keep
 * it in a 0700 directory so that nobody else can connect in between.
 */
export async function listenUnix(path: string, options: ListenUnixOptions): Promise<Server> {
  const pathBytes = Buffer.byteLength(path);
  if (pathBytes > MAX_SOCKET_PATH_BYTES) {
    throw new IpcError(
      IPC_ERROR_CODES.listen,
      `listen on unix socket ${path}: expected a path of at most ${MAX_SOCKET_PATH_BYTES} bytes, found ${pathBytes}`,
    );
  }
  await removeStaleSocket(path, options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS);

  // Paused, so that nothing is read before the socket is moved to its receive arena.
  const server = createServer({ pauseOnConnect: true }, (socket) => options.onConnection(withReceiveArena(socket)));
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        new IpcError(
          IPC_ERROR_CODES.listen,
          `listen on unix socket ${path}: expected to bind, found ${error.code ?? 'an error'} (${error.message})`,
          { cause: error },
        ),
      );
    };
    server.once('error', onError);
    server.listen({ path }, () => {
      server.off('error', onError);
      try {
        // Synchronous: no connection is accepted by this process before the mode is tight.
        chmodSync(path, 0o600);
      } catch (error) {
        server.close();
        onError(error as NodeJS.ErrnoException);
        return;
      }
      resolve();
    });
  });
  server.on('error', (error: NodeJS.ErrnoException) => {
    options.logger.error({ err: error, code: IPC_ERROR_CODES.listen, path }, `unix socket server ${path} failed: ${error.message}`);
  });
  return server;
}

async function removeStaleSocket(path: string, probeTimeoutMs: number): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = (await lstat(path)).isSocket();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new IpcError(IPC_ERROR_CODES.listen, `listen on unix socket ${path}: cannot inspect the path: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (!isSocket) {
    throw new IpcError(
      IPC_ERROR_CODES.listen,
      `listen on unix socket ${path}: expected no file or a stale socket there, found a file that is not a socket (left untouched)`,
    );
  }
  let probe: Socket;
  try {
    probe = await connectUnix(path, { timeoutMs: probeTimeoutMs });
  } catch (error) {
    const ipcError = error as IpcError;
    const causeCode = (ipcError.cause as NodeJS.ErrnoException | undefined)?.code;
    if (causeCode === 'ENOENT') return;
    if (causeCode === 'ECONNREFUSED') {
      // Nobody listens: the file outlived its server (e.g. SIGKILL). Safe to replace.
      await unlink(path).catch((unlinkError: NodeJS.ErrnoException) => {
        if (unlinkError.code === 'ENOENT') return;
        throw new IpcError(IPC_ERROR_CODES.listen, `listen on unix socket ${path}: cannot remove the stale socket file: ${unlinkError.message}`, {
          cause: unlinkError,
        });
      });
      return;
    }
    if (ipcError.code === IPC_ERROR_CODES.connectTimeout || causeCode === 'EAGAIN') {
      // Something is alive there, only slow or with a full backlog: never take its path.
      throw new IpcError(
        IPC_ERROR_CODES.socketInUse,
        `listen on unix socket ${path}: expected a stale socket file, found one that does not refuse connections (${ipcError.message})`,
        { cause: error },
      );
    }
    throw new IpcError(IPC_ERROR_CODES.listen, `listen on unix socket ${path}: cannot tell whether the socket file is stale: ${ipcError.message}`, {
      cause: error,
    });
  }
  probe.destroy();
  throw new IpcError(
    IPC_ERROR_CODES.socketInUse,
    `listen on unix socket ${path}: expected a stale socket file, found a live server answering there`,
  );
}
