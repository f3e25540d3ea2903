import type { Socket } from 'node:net';
import type { Unpackr } from 'msgpackr';
import { AbstractMessageReader, Disposable } from 'vscode-jsonrpc/node';
import type { DataCallback, Message } from 'vscode-jsonrpc/node';
import { IPC_ERROR_CODES, IpcError } from './errors.js';
import { DEFAULT_MAX_FRAME_BYTES, FrameSplitter, createUnpackr, decodeFrameBody } from './frame-codec.js';
import { receiveArenaOf } from './receive-arena.js';
import type { ReceiveArena } from './receive-arena.js';

export interface IpcMessageReaderOptions {
  /** Largest frame body accepted; a bigger length prefix closes the socket. Default 16 MiB. */
  readonly maxFrameBytes?: number;
}

/**
 * Where a message goes before vscode-jsonrpc: `take` returns false for a message it leaves to
 * vscode-jsonrpc, true for one it handled, or a promise for one it is still working on with views
 * of the frame (only messages `borrows` said yes to get those, and `take` takes every one of them).
 */
export interface MessageDiversion {
  readonly take: (message: Message) => boolean | Promise<unknown>;
  readonly borrows: (message: Message) => boolean;
}

// Frames from a receive arena up to this size are copied out before they are decoded: cheaper than
// deciding, and nothing of the arena is then left in a message that outlives its turn.
const COPY_FRAMES_UP_TO = 16 * 1024;

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
  readonly #maxFrameBytes: number;
  readonly #splitter: FrameSplitter;
  readonly #arena: ReceiveArena | undefined;
  readonly #unpackr: Unpackr = createUnpackr();
  #callback: DataCallback | undefined;
  #divert: MessageDiversion | undefined;
  #failed = false;

  constructor(socket: Socket, options: IpcMessageReaderOptions = {}) {
    super();
    this.#socket = socket;
    this.#maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.#splitter = new FrameSplitter(this.#maxFrameBytes);
    this.#arena = receiveArenaOf(socket);
    // Installed now, not in listen(): an 'error' without a listener would crash the process.
    socket.on('error', this.#onSocketError);
    socket.once('close', this.#onSocketClose);
  }

  listen(callback: DataCallback): Disposable {
    if (this.#callback !== undefined) throw new Error('IpcMessageReader.listen() called twice');
    this.#callback = callback;
    if (this.#arena !== undefined) {
      this.#arena.listen({ maxFrameBytes: this.#maxFrameBytes, onFrame: this.#onArenaFrame, onError: (error) => this.#fail(error) });
      return Disposable.create(() => {
        this.#callback = undefined;
      });
    }
    // Nothing is read before this: a socket accepted paused is resumed here.
    this.#socket.on('data', this.#onData);
    this.#socket.resume();
    return Disposable.create(() => {
      this.#socket.off('data', this.#onData);
    });
  }

  /** Offers each message to `diversion.take` first; one it takes never reaches vscode-jsonrpc. */
  divert(diversion: MessageDiversion): void {
    this.#divert = diversion;
  }

  override dispose(): void {
    this.#socket.off('data', this.#onData);
    this.#callback = undefined;
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
    if (this.#divert !== undefined && this.#divert.take(message) !== false) return;
    this.#callback?.(message);
  };

  // A body in the arena is a view of memory the next reads go to: only a message that borrows it
  // keeps views of it, and holds the arena until its handler is done.
  readonly #onArenaFrame = (body: Buffer): void => {
    if (this.#failed) return;
    const arena = this.#arena as ReceiveArena;
    if (body.length <= COPY_FRAMES_UP_TO) {
      this.#onFrame(Buffer.from(body));
      return;
    }
    let message = decodeFrameBody(this.#unpackr, body);
    const divert = this.#divert;
    if (divert === undefined || !divert.borrows(message)) {
      message = decodeFrameBody(this.#unpackr, Buffer.from(body));
      if (divert !== undefined && divert.take(message) !== false) return;
      this.#callback?.(message);
      return;
    }
    const release = arena.hold();
    let taken: boolean | Promise<unknown>;
    try {
      taken = divert.take(message);
    } catch (error) {
      release();
      throw error;
    }
    // A message it borrows is one it takes (see MessageDiversion): done now, or when its promise settles.
    if (taken instanceof Promise) taken.then(release, release);
    else release();
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
