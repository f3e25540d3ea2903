/**
 * Stable codes for everything this package can fail with, locally. Callers match on `code`.
 * Every value is listed in `docs/errors.md` (a root test checks it).
 */
export const IPC_ERROR_CODES = Object.freeze({
  /** A frame's length prefix (incoming) or an encoded message (outgoing) is over the size limit. */
  frameTooLarge: 'MOSN_ERR_IPC_FRAME_TOO_LARGE',
  /** A frame's body is not MessagePack, or decodes to something that is not a JSON-RPC 2.0 message. */
  frameDecode: 'MOSN_ERR_IPC_FRAME_DECODE',
  /** A message could not be encoded to MessagePack (e.g. it holds a Symbol). */
  frameEncode: 'MOSN_ERR_IPC_FRAME_ENCODE',
  /** A handshake line is malformed, or a value given to the formatter cannot be written in one. */
  handshakeInvalid: 'MOSN_ERR_IPC_HANDSHAKE_INVALID',
  /** A handshake line names a core protocol version this build does not speak. */
  protocolVersion: 'MOSN_ERR_IPC_PROTOCOL_VERSION',
  /** Connecting to a Unix socket failed (no such file, refused, permission). */
  connect: 'MOSN_ERR_IPC_CONNECT',
  /** Connecting to a Unix socket did not complete within the timeout. */
  connectTimeout: 'MOSN_ERR_IPC_CONNECT_TIMEOUT',
  /** Listening on a Unix socket path failed (path too long, a non-socket file in the way, bind error). */
  listen: 'MOSN_ERR_IPC_LISTEN',
  /** A live server already answers on the socket path we were asked to listen on. */
  socketInUse: 'MOSN_ERR_IPC_SOCKET_IN_USE',
  /** A message was written after the connection's socket was closed. */
  connectionClosed: 'MOSN_ERR_IPC_CONNECTION_CLOSED',
  /** The socket under a connection failed (e.g. ECONNRESET); the connection is closed. */
  socket: 'MOSN_ERR_IPC_SOCKET',
} as const);

export type IpcErrorCode = (typeof IPC_ERROR_CODES)[keyof typeof IPC_ERROR_CODES];

export class IpcError extends Error {
  readonly code: IpcErrorCode;

  constructor(code: IpcErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IpcError';
    this.code = code;
  }
}

/**
 * Application error codes carried in RPC `ResponseError`s. They live in −31999…−31000, outside
 * JSON-RPC's reserved −32768…−32000 (where vscode-jsonrpc's own codes, e.g. −32097 "pending
 * response rejected", already are), so a peer can tell ours from the library's.
 */
export const RPC_ERROR_CODES = Object.freeze({
  /** The handler failed; the message says why. */
  failed: -31000,
  /** The caller did not present the right per-launch secret in `initialize`. */
  unauthorized: -31001,
  /** A request arrived before `initialize` completed. */
  notInitialized: -31002,
  /** The peer is shutting down and accepts no new work. */
  shuttingDown: -31003,
  /** The handler stopped because the caller cancelled the request. */
  cancelled: -31004,
  /** Something the handler depends on is unavailable (e.g. a Redis backend). */
  unavailable: -31005,
} as const);

export type RpcErrorCode = (typeof RPC_ERROR_CODES)[keyof typeof RPC_ERROR_CODES];

/** Short, printable description of a value for "found …" in error messages. */
export function describeFound(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'string') {
    const shown = value.length > 80 ? `${value.slice(0, 80)}…` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'object') {
    const name = (value as object).constructor?.name;
    return name !== undefined && name !== 'Object' ? `an object (${name})` : 'an object';
  }
  return `${typeof value} ${String(value)}`;
}
