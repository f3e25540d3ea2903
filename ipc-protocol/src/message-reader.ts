import type { Socket } from 'node:net';
import type { Unpackr } from 'msgpackr';
import { AbstractMessageReader, Disposable } from 'vscode-jsonrpc/node';
import type { DataCallback, Message } from 'vscode-jsonrpc/node';
import { IPC_ERROR_CODES, IpcError } from './errors.js';
import { DEFAULT_MAX_FRAME_BYTES, FrameSplitter, createUnpackr, decodeFrameBody } from './frame-codec.js';

export interface IpcMessageReaderOptions {
  /** Largest frame body accepted; a bigger length prefix closes the socket. Default 16 MiB. */
  readonly maxFrameBytes?: number;
}

/**
 * Reads length-prefixed MessagePack frames from a socket and hands each decoded JSON-RPC message
 * to vscode-jsonrpc. A frame that is too large or does not decode fires `onError` with an
 * `IpcError` and destroys the socket: after a framing error the byte stream cannot be trusted.
 *
 * The reader also owns the socket's 'error' and 'close' events (the writer does not listen to
 * them), so each socket failure is reported once.
 */
export class IpcMessageReader extends AbstractMessageReader {
  readonly #socket: Socket;
  readonly #splitter: FrameSplitter;
  readonly #unpackr: Unpackr = createUnpackr();
  #callback: DataCallback | undefined;
  #divert: ((message: Message) => boolean) | undefined;
  #failed = false;

  constructor(socket: Socket, options: IpcMessageReaderOptions = {}) {
    super();
    this.#socket = socket;
    this.#splitter = new FrameSplitter(options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
    // Installed now, not in listen(): an 'error' without a listener would crash the process.
    socket.on('error', this.#onSocketError);
    socket.once('close', this.#onSocketClose);
  }

  listen(callback: DataCallback): Disposable {
    if (this.#callback !== undefined) throw new Error('IpcMessageReader.listen() called twice');
    this.#callback = callback;
    // Attaching 'data' switches the socket to flowing mode; nothing is read before this.
    this.#socket.on('data', this.#onData);
    return Disposable.create(() => {
      this.#socket.off('data', this.#onData);
    });
  }

  /** Offers each message to `take` first; one it takes (returns true for) never reaches vscode-jsonrpc. */
  divert(take: (message: Message) => boolean): void {
    this.#divert = take;
  }

  override dispose(): void {
    this.#socket.off('data', this.#onData);
    super.dispose();
  }

  readonly #onData = (chunk: Buffer): void => {
    if (this.#failed) return;
    try {
      this.#splitter.push(chunk, this.#onFrame);
    } catch (error) {
      this.#fail(error);
    }
  };

  // Throws on a bad body; #onData turns that into a closed connection.
  readonly #onFrame = (body: Buffer): void => {
    const message = decodeFrameBody(this.#unpackr, body);
    if (this.#divert?.(message) === true) return;
    (this.#callback as DataCallback)(message);
  };

  #fail(error: unknown): void {
    this.#failed = true;
    this.#socket.off('data', this.#onData);
    this.#socket.destroy();
    // Anything that is not already ours came from dispatching a decoded message, e.g. a
    // `$/cancelRequest` without params makes vscode-jsonrpc throw a TypeError.
    this.fireError(
      error instanceof IpcError
        ? error
        : new IpcError(
            IPC_ERROR_CODES.frameDecode,
            `message could not be dispatched: expected a well-formed JSON-RPC message, found: ${(error as Error).message}`,
            { cause: error },
          ),
    );
  }

  readonly #onSocketError = (error: Error): void => {
    if (this.#failed) return;
    this.#failed = true;
    const code = (error as NodeJS.ErrnoException).code ?? 'an error';
    this.fireError(
      new IpcError(IPC_ERROR_CODES.socket, `ipc socket failed: expected an open connection, found ${code}: ${error.message}`, {
        cause: error,
      }),
    );
  };

  readonly #onSocketClose = (): void => {
    this.fireClose();
  };
}
