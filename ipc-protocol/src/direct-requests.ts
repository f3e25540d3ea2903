/**
 * Requests answered, and responses settled, as soon as their frame is read, below vscode-jsonrpc.
 *
 * vscode-jsonrpc hands each incoming request to its handler one per event-loop turn, with a
 * cancellation token, tracing and two awaits, and its answer then waits for the writer's next
 * flush. That is fine for control calls, but `plugin/batch` carries every request check and rate
 * limit on the data path, and the plugin shares a core with the worker. A method registered here
 * skips that queue: its handler runs when the frame is read and its answer goes in the same turn.
 *
 * Notifications can be handled the same way (`plugin/logRecords`: a batch of access log lines is
 * written as soon as it is read, without a turn in vscode-jsonrpc's queue for a 150 KB message).
 *
 * The wire is unchanged: the same JSON-RPC messages in the same frames. Our own requests carry
 * string ids ("d1", "d2", …) so that their responses are told apart from vscode-jsonrpc's, whose
 * ids are numbers; a peer answers either kind the same way.
 */
import { ErrorCodes, ResponseError } from 'vscode-jsonrpc/node';
import type { Message, NotificationType, NotificationType0, RequestType } from 'vscode-jsonrpc/node';
import type { IpcMessageWriter } from './message-writer.js';

type Handler = (params: unknown) => unknown;

interface Pending {
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** What a message looks like before we know which kind it is. */
interface AnyMessage {
  readonly id?: unknown;
  readonly method?: unknown;
  readonly params?: unknown;
  readonly result?: unknown;
  readonly error?: { code?: unknown; message?: unknown; data?: unknown } | null;
}

const ID_PREFIX = 'd';

export class DirectRequests {
  readonly #writer: IpcMessageWriter;
  readonly #handlers = new Map<string, Handler>();
  readonly #notificationHandlers = new Map<string, (params: unknown) => unknown>();
  readonly #pending = new Map<string, Pending>();
  #next = 0;
  #closed = false;

  readonly #notificationFailed: (method: string, error: unknown) => void;

  /** `notificationFailed` is told when a notification handler throws (the connection goes on, as with vscode-jsonrpc). */
  constructor(writer: IpcMessageWriter, notificationFailed: (method: string, error: unknown) => void = () => undefined) {
    this.#writer = writer;
    this.#notificationFailed = notificationFailed;
  }

  /** Answers requests of `type` with `handler` (its value, a promise of it, or a thrown ResponseError). */
  handle<P, R, E>(type: RequestType<P, R, E>, handler: (params: P) => R | Promise<R>): void {
    this.#handlers.set(type.method, handler as Handler);
  }

  /**
   * Handles notifications of `type` with `handler` when each is read (a throw or a rejection is
   * reported, and the next one is read). Large params may be views of the connection's receive
   * buffer: valid until the handler returns, or until the promise it returns settles.
   */
  handleNotification<P>(type: NotificationType<P> | NotificationType0, handler: (params: P) => void | Promise<unknown>): void {
    this.#notificationHandlers.set(type.method, handler as (params: unknown) => unknown);
  }

  /** True for a message whose handler may be given views of its frame (see `handleNotification`). */
  borrows(message: Message): boolean {
    const m = message as AnyMessage;
    return typeof m.method === 'string' && (m.id === undefined || m.id === null) && this.#notificationHandlers.has(m.method);
  }

  /** Sends a request whose response settles when read (a ResponseError rejects, as with vscode-jsonrpc). */
  send<P, R, E>(type: RequestType<P, R, E>, params: P): Promise<R> {
    if (this.#closed) return Promise.reject(disposed());
    const id = ID_PREFIX + String(++this.#next);
    return new Promise<R>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (result: unknown) => void, reject });
      this.#writer.write({ jsonrpc: '2.0', id, method: type.method, params } as Message).catch((error: unknown) => {
        if (this.#pending.delete(id)) reject(error);
      });
    });
  }

  /**
   * Sends a notification, in order with everything else written on this connection. With
   * `expectedBytes` (about how large its MessagePack is), a large one is packed into a reusable
   * block (IpcMessageWriter.write). Rejects when it cannot be encoded or the connection is gone.
   */
  notify<P>(type: NotificationType<P>, params: P, expectedBytes?: number): Promise<void> {
    if (this.#closed) return Promise.reject(disposed());
    return this.#writer.write({ jsonrpc: '2.0', method: type.method, params } as Message, expectedBytes);
  }

  /**
   * True when `message` was ours (handled here), or the promise of a notification handler still at
   * work; false for anything vscode-jsonrpc should see.
   */
  take(message: Message): boolean | Promise<unknown> {
    const m = message as AnyMessage;
    if (typeof m.method === 'string') {
      if (m.id === undefined || m.id === null) {
        const onNotification = this.#notificationHandlers.get(m.method);
        if (onNotification === undefined) return false;
        if (this.#closed) return true;
        let result: unknown;
        try {
          result = onNotification(m.params);
        } catch (error) {
          this.#notificationFailed(m.method, error);
          return true;
        }
        if (result instanceof Promise) return result.then(undefined, (error: unknown) => this.#notificationFailed(m.method as string, error));
        return true;
      }
      const handler = this.#handlers.get(m.method);
      if (handler === undefined) return false;
      // Frames already read when the connection went are not worth an answer nobody reads.
      if (!this.#closed) this.#run(handler, m.method, m.id as string | number, m.params);
      return true;
    }
    // A response: ours have string ids. One whose request is no longer pending is dropped.
    if (typeof m.id !== 'string') return false;
    const pending = this.#pending.get(m.id);
    if (pending === undefined) return true;
    this.#pending.delete(m.id);
    const error = m.error;
    if (error !== undefined && error !== null) {
      const code = typeof error.code === 'number' ? error.code : ErrorCodes.InternalError;
      pending.reject(new ResponseError(code, typeof error.message === 'string' ? error.message : 'no message', error.data));
    } else {
      pending.resolve(m.result);
    }
    return true;
  }

  /** The connection is gone: what is pending rejects as vscode-jsonrpc's own requests do. */
  close(): void {
    this.#closed = true;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(disposed());
  }

  #run(handler: Handler, method: string, id: string | number, params: unknown): void {
    let result: unknown;
    try {
      result = handler(params);
    } catch (error) {
      this.#reply(id, undefined, failure(method, error), method);
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (value: unknown) => this.#reply(id, value, undefined, method),
        (error: unknown) => this.#reply(id, undefined, failure(method, error), method),
      );
    } else {
      this.#reply(id, result, undefined, method);
    }
  }

  #reply(id: string | number, result: unknown, error: ResponseError<unknown> | undefined, method: string): void {
    const message = error === undefined ? { jsonrpc: '2.0', id, result: result === undefined ? null : result } : { jsonrpc: '2.0', id, error: error.toJson() };
    this.#writer.write(message as Message).catch((writeError: unknown) => {
      // An answer that cannot be encoded (the writer reported it) still gets the caller an error
      // now, as vscode-jsonrpc does, rather than a wait for its timeout. Once: an error answer
      // that cannot be written either means the connection is gone.
      if (error === undefined) this.#writer.write({ jsonrpc: '2.0', id, error: failure(method, writeError).toJson() } as Message).catch(() => undefined);
    });
  }
}

/** The error a thrown value answers with, as vscode-jsonrpc words it for its own handlers. */
function failure(method: string, error: unknown): ResponseError<unknown> {
  if (error instanceof ResponseError) return error;
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string'
    ? new ResponseError(ErrorCodes.InternalError, `Request ${method} failed with message: ${message}`)
    : new ResponseError(ErrorCodes.InternalError, `Request ${method} failed unexpectedly without providing any details.`);
}

function disposed(): ResponseError<void> {
  return new ResponseError(ErrorCodes.PendingResponseRejected, 'Pending response rejected since connection got disposed');
}
