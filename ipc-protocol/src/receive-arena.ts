/**
 * One reusable receive buffer per IPC socket, that the kernel reads into (Node's `onread`)
 * and frames are cut from in place.
 *
 * Read as a stream, every read of a socket gets a fresh 64 KiB buffer, goes through Readable's
 * machinery, and a frame that spans reads is joined into yet another buffer. For a plugin that
 * takes 150 KB log batches on the worker's core, that cost more than everything else it does:
 * reading a batch this way took ~165 µs instead of ~380 (bench notes, session 13). Memory that is
 * used again stays in the cache, instead of fresh pages touched for every batch.
 *
 *   0           read         write                    buffer.length
 *   |  consumed  | pending frame | free: the next read goes here |
 *
 * The bytes a frame body lies in are written over only once nothing can read them any more:
 * after the synchronous `onFrame`, unless it `hold`s the buffer (a direct notification whose
 * handler is still working on a view of it). While the buffer is held, reads go to a second one
 * (the log plugin's write of one batch is usually still in flight when the next one starts), or
 * to a new one if both are held; a buffer dropped that way stays with whoever holds views of it.
 */
import { Socket } from 'node:net';
import { IPC_ERROR_CODES, IpcError } from './errors.js';
import { DEFAULT_MAX_FRAME_BYTES, FRAME_HEADER_BYTES, checkMaxFrameBytes } from './frame-codec.js';

/**
 * What the arena starts with and returns to: a few of the largest frames of the data path (a log
 * batch of 4000 lines is ~600 KB). Pages nobody reads into are never touched.
 */
export const RECEIVE_ARENA_BYTES = 2 * 1024 * 1024;
const ARENA_BYTES = RECEIVE_ARENA_BYTES;
/** Never offer the kernel less room than this for a read (as many bytes as a stream read takes). */
const MIN_READ_BYTES = 64 * 1024;

export interface ArenaListener {
  readonly maxFrameBytes: number;
  /** Called with each complete body, a view into the arena, valid until it returns unless held. */
  readonly onFrame: (body: Buffer) => void;
  /** A length prefix over `maxFrameBytes`, or a throw from `onFrame`: reading stops. */
  readonly onError: (error: unknown) => void;
}

export class ReceiveArena {
  #buffer: Buffer = Buffer.allocUnsafe(ARENA_BYTES);
  /** The other buffer, taken when the current one is held: a batch's write need not end first. */
  #spare: Buffer | undefined;
  #read = 0;
  #write = 0;
  /** Holds per buffer; a buffer is missing here when nothing holds it. */
  readonly #holds = new Map<Buffer, number>();
  #listener: ArenaListener | undefined;
  #failed = false;

  /** The `onread` option for a `net.Socket` that this arena receives for. */
  readonly onread = {
    buffer: (): Uint8Array => this.#room(),
    callback: (bytes: number): boolean => this.#received(bytes),
  };

  listen(listener: ArenaListener): void {
    checkMaxFrameBytes(listener.maxFrameBytes);
    this.#listener = listener;
    this.#cut();
  }

  /**
   * Keeps the bytes of the frame being handled from being written over; call the result once when
   * done with them. Only valid inside `onFrame`.
   */
  hold(): () => void {
    const held = this.#buffer;
    this.#holds.set(held, (this.#holds.get(held) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // No rewind here: the kernel's next read already has its place. The next `#room()` rewinds.
      const left = (this.#holds.get(held) ?? 1) - 1;
      if (left === 0) this.#holds.delete(held);
      else this.#holds.set(held, left);
    };
  }

  /** Bytes received and not yet handed out as frames. */
  get pendingBytes(): number {
    return this.#write - this.#read;
  }

  #received(bytes: number): boolean {
    this.#write += bytes;
    if (this.#listener !== undefined) this.#cut();
    return !this.#failed;
  }

  #cut(): void {
    const listener = this.#listener as ArenaListener;
    const buffer = this.#buffer;
    try {
      while (!this.#failed && this.#write - this.#read >= FRAME_HEADER_BYTES) {
        const length = buffer.readUInt32BE(this.#read);
        if (length > listener.maxFrameBytes) {
          throw new IpcError(
            IPC_ERROR_CODES.frameTooLarge,
            `incoming frame too large: expected at most ${listener.maxFrameBytes} bytes, found ${length}`,
          );
        }
        const start = this.#read + FRAME_HEADER_BYTES;
        if (this.#write - start < length) break;
        this.#read = start + length;
        listener.onFrame(buffer.subarray(start, start + length));
      }
    } catch (error) {
      this.#failed = true;
      listener.onError(error);
    }
  }

  /**
   * Where the next read goes: at least MIN_READ_BYTES, and the whole of a frame known to be coming.
   * Only here do the bytes move: Node asks for the next read's place right after each read, and
   * `#received` counts on the bytes landing where it was given.
   */
  #room(): Uint8Array {
    const pending = this.#write - this.#read;
    if (pending === 0) this.#startOver();
    let needed = MIN_READ_BYTES;
    if (pending >= FRAME_HEADER_BYTES) {
      const frame = FRAME_HEADER_BYTES + this.#buffer.readUInt32BE(this.#read);
      // An oversize prefix is refused when cut; until then, do not grow for it.
      if (frame <= FRAME_HEADER_BYTES + (this.#listener?.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES)) needed = Math.max(needed, frame - pending);
    }
    if (this.#buffer.length - this.#write < needed) this.#makeRoom(pending, needed);
    return this.#buffer.subarray(this.#write);
  }

  /** Everything was handed out: the next read goes to the start of a buffer nothing holds, if any. */
  #startOver(): void {
    if (this.#holds.has(this.#buffer)) {
      if (this.#spare === undefined || this.#holds.has(this.#spare)) return;
      [this.#buffer, this.#spare] = [this.#spare, this.#buffer];
    }
    this.#read = 0;
    this.#write = 0;
    // A once-huge frame does not keep its buffer for the life of the connection.
    if (this.#buffer.length > ARENA_BYTES) this.#buffer = Buffer.allocUnsafe(ARENA_BYTES);
  }

  #makeRoom(pending: number, needed: number): void {
    const size = Math.max(ARENA_BYTES, pending + needed);
    if (!this.#holds.has(this.#buffer) && size <= this.#buffer.length) {
      // Nobody reads the consumed bytes: move what is pending to the front.
      this.#buffer.copyWithin(0, this.#read, this.#write);
    } else {
      const spare = this.#spare;
      const next = spare !== undefined && !this.#holds.has(spare) && size <= spare.length ? spare : Buffer.allocUnsafe(size);
      this.#buffer.copy(next, 0, this.#read, this.#write);
      if (this.#buffer.length === ARENA_BYTES) this.#spare = this.#buffer;
      this.#buffer = next;
    }
    this.#read = 0;
    this.#write = pending;
  }
}

const arenas = new WeakMap<Socket, ReceiveArena>();

/** Notes that `socket` was made with `arena.onread`. */
export function registerReceiveArena(socket: Socket, arena: ReceiveArena): void {
  arenas.set(socket, arena);
}

/** The arena a socket receives into, if it has one. */
export function receiveArenaOf(socket: Socket): ReceiveArena | undefined {
  return arenas.get(socket);
}

interface AcceptedHandle {
  useUserBuffer?: unknown;
}

/**
 * Re-wraps an accepted socket (from a server with `pauseOnConnect`, nothing read yet) so that it
 * reads into a `ReceiveArena`. `net.Server` has no `onread` option for the sockets it accepts, so
 * the accepted handle is moved to a new `Socket` made with one, as Node itself does when a handle
 * is passed to a child process. Where that is not possible, the socket is returned as it was
 * (still paused: `IpcMessageReader` resumes it when it listens) and is read as a stream.
 */
export function withReceiveArena(socket: Socket): Socket {
  const accepted = socket as unknown as { _handle: AcceptedHandle | null };
  const handle = accepted._handle;
  if (handle === null || typeof handle.useUserBuffer !== 'function') return socket;
  const arena = new ReceiveArena();
  accepted._handle = null;
  // Without a handle, destroy() only settles the old Socket (and the server's connection count).
  socket.destroy();
  const adopted = new Socket({ handle, readable: true, writable: true, onread: arena.onread } as ConstructorParameters<typeof Socket>[0]);
  registerReceiveArena(adopted, arena);
  return adopted;
}
