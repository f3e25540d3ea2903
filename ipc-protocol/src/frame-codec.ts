/**
 * The wire format: each message is one frame,
 *
 *   +----------------------------+------------------------------------+
 *   | length: uint32 big-endian  | body: `length` bytes of MessagePack |
 *   +----------------------------+------------------------------------+
 *
 * and the body is one JSON-RPC 2.0 message (request, response or notification) packed by msgpackr
 * with `useRecords: false`, i.e. plain MessagePack maps that any MessagePack library can read.
 */
import { Packr, RESERVE_START_SPACE, Unpackr } from 'msgpackr';
import type { Message } from 'vscode-jsonrpc/node';
import { IPC_ERROR_CODES, IpcError, describeFound } from './errors.js';

export const FRAME_HEADER_BYTES = 4;
/** Default upper bound of a frame body; a length prefix above it closes the connection. */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
const MAX_UINT32 = 0xffff_ffff;
/** The size of the shared buffer msgpackr starts with (its own default). */
const SHARED_BLOCK_BYTES = 8192;

export function checkMaxFrameBytes(value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > MAX_UINT32) {
    throw new RangeError(`maxFrameBytes: expected an integer in 1…${MAX_UINT32}, found ${String(value)}`);
  }
  return value;
}

function tooLarge(direction: 'incoming' | 'outgoing', length: number, max: number): IpcError {
  return new IpcError(
    IPC_ERROR_CODES.frameTooLarge,
    `${direction} frame too large: expected at most ${max} bytes, found ${length}`,
  );
}

/** Packs messages into complete frames (length prefix included) with a single allocation. */
export class FrameEncoder {
  // One Packr per encoder: it appends successive messages into one shared 8 KiB block, and the
  // reserved start space lets us write the length prefix in place instead of copying the body.
  readonly #packr = new Packr({ useRecords: false });
  readonly #maxFrameBytes: number;

  constructor(maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES) {
    this.#maxFrameBytes = checkMaxFrameBytes(maxFrameBytes);
  }

  /**
   * The frame of `message`, a view of msgpackr's shared buffer or, with `into`, of that block
   * (unless the message outgrew it, when msgpackr allocates as usual): valid until the block is
   * packed into again.
   */
  encode(message: unknown, into?: Buffer): Buffer {
    let frame: Buffer;
    try {
      if (into === undefined) {
        frame = this.#packr.pack(message, RESERVE_START_SPACE | FRAME_HEADER_BYTES);
      } else {
        this.#packr.useBuffer(into);
        try {
          frame = this.#packr.pack(message, RESERVE_START_SPACE | FRAME_HEADER_BYTES);
        } finally {
          // msgpackr would go on packing after this frame, in a block that is reused once written.
          this.#packr.useBuffer(Buffer.allocUnsafe(SHARED_BLOCK_BYTES));
        }
      }
    } catch (error) {
      throw new IpcError(
        IPC_ERROR_CODES.frameEncode,
        `cannot encode message as MessagePack: expected plain data, found: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const bodyLength = frame.length - FRAME_HEADER_BYTES;
    if (bodyLength > this.#maxFrameBytes) throw tooLarge('outgoing', bodyLength, this.#maxFrameBytes);
    frame.writeUInt32BE(bodyLength, 0);
    return frame;
  }
}

/** Encodes one message as a complete frame (for tests and tools that write raw frames). */
export function encodeFrame(message: unknown, maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES): Buffer {
  // A fresh copy: FrameEncoder's result shares msgpackr's block, which a caller might keep.
  return Buffer.from(new FrameEncoder(maxFrameBytes).encode(message));
}

/** Decodes a frame body into a JSON-RPC message, or throws `MOSN_ERR_IPC_FRAME_DECODE`. */
export function decodeFrameBody(unpackr: Unpackr, body: Buffer): Message {
  let value: unknown;
  try {
    value = unpackr.unpack(body);
  } catch (error) {
    throw new IpcError(
      IPC_ERROR_CODES.frameDecode,
      `frame of ${body.length} bytes does not decode: expected one MessagePack value, found: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || (value as Message).jsonrpc !== '2.0') {
    throw new IpcError(
      IPC_ERROR_CODES.frameDecode,
      `frame of ${body.length} bytes is not a message: expected a map with jsonrpc "2.0", found ${describeFound(value)}`,
    );
  }
  return value as Message;
}

export function createUnpackr(): Unpackr {
  return new Unpackr({ useRecords: false });
}

/**
 * Cuts a byte stream into frame bodies. Chunks may split a frame anywhere (even inside the length
 * prefix) or hold many frames; a body that lies inside one chunk is handed out without copying.
 */
export class FrameSplitter {
  readonly #maxFrameBytes: number;
  readonly #header = Buffer.alloc(FRAME_HEADER_BYTES);
  #headerFill = 0;
  /** Length of the body being collected, or -1 while reading a length prefix. */
  #bodyLength = -1;
  // Parts of an incomplete body, joined once when complete, so a large frame arriving in many
  // chunks costs one copy rather than one per chunk.
  #parts: Buffer[] = [];
  #partsBytes = 0;

  constructor(maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES) {
    this.#maxFrameBytes = checkMaxFrameBytes(maxFrameBytes);
  }

  /** Feeds a chunk; calls `onFrame` for every body completed by it. Throws on an oversize prefix. */
  push(chunk: Buffer, onFrame: (body: Buffer) => void): void {
    const end = chunk.length;
    let offset = 0;
    while (offset < end) {
      if (this.#bodyLength === -1) {
        let length: number;
        if (this.#headerFill === 0 && end - offset >= FRAME_HEADER_BYTES) {
          length = chunk.readUInt32BE(offset);
          offset += FRAME_HEADER_BYTES;
        } else {
          const take = Math.min(FRAME_HEADER_BYTES - this.#headerFill, end - offset);
          chunk.copy(this.#header, this.#headerFill, offset, offset + take);
          this.#headerFill += take;
          offset += take;
          if (this.#headerFill < FRAME_HEADER_BYTES) return;
          this.#headerFill = 0;
          length = this.#header.readUInt32BE(0);
        }
        if (length > this.#maxFrameBytes) throw tooLarge('incoming', length, this.#maxFrameBytes);
        if (end - offset >= length) {
          const body = chunk.subarray(offset, offset + length);
          offset += length;
          onFrame(body);
          continue;
        }
        this.#bodyLength = length;
        this.#parts.push(chunk.subarray(offset));
        this.#partsBytes = end - offset;
        return;
      }
      const missing = this.#bodyLength - this.#partsBytes;
      if (end - offset < missing) {
        this.#parts.push(chunk.subarray(offset));
        this.#partsBytes += end - offset;
        return;
      }
      this.#parts.push(chunk.subarray(offset, offset + missing));
      offset += missing;
      const body = Buffer.concat(this.#parts, this.#bodyLength);
      this.#parts = [];
      this.#partsBytes = 0;
      this.#bodyLength = -1;
      onFrame(body);
    }
  }

  /** Bytes of an incomplete frame held back, waiting for more chunks. */
  get pendingBytes(): number {
    return this.#bodyLength === -1 ? this.#headerFill : FRAME_HEADER_BYTES + this.#partsBytes;
  }
}
