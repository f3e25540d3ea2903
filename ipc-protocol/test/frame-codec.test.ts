import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Packr } from 'msgpackr';
import {
  DEFAULT_MAX_FRAME_BYTES,
  FrameEncoder,
  FrameSplitter,
  createUnpackr,
  decodeFrameBody,
  encodeFrame,
} from '../src/frame-codec.js';
import { IPC_ERROR_CODES, IpcError } from '../src/errors.js';

const request = (id: number, extra: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id,
  method: 'plugin/check',
  params: { method: 'GET', path: `/items/${id}`, headers: { host: 'a.example', 'x-id': String(id) }, ...extra },
});

function header(length: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(length, 0);
  return buffer;
}

/** Runs chunks through a splitter and decodes every body. */
function decodeAll(chunks: Buffer[], maxFrameBytes?: number): unknown[] {
  const splitter = new FrameSplitter(maxFrameBytes);
  const unpackr = createUnpackr();
  const out: unknown[] = [];
  for (const chunk of chunks) splitter.push(chunk, (body) => out.push(decodeFrameBody(unpackr, body)));
  assert.equal(splitter.pendingBytes, 0, 'no bytes left over');
  return out;
}

function isIpcError(code: string, ...fragments: string[]) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof IpcError, `expected an IpcError, found ${String(error)}`);
    assert.equal(error.code, code);
    for (const fragment of fragments) assert.match(error.message, new RegExp(fragment));
    return true;
  };
}

test('a frame is a 4-byte big-endian body length followed by the MessagePack body', () => {
  const message = request(1);
  const frame = encodeFrame(message);
  assert.equal(frame.readUInt32BE(0), frame.length - 4);
  assert.deepEqual(new Packr({ useRecords: false }).unpack(frame.subarray(4)), message);
});

test('frames split byte by byte across chunks decode to the original messages', () => {
  const messages = [request(1), request(2, { note: 'é✓ unicode' }), request(3)];
  const bytes = Buffer.concat(messages.map((m) => encodeFrame(m)));
  const chunks = [...bytes].map((byte) => Buffer.from([byte]));
  assert.deepEqual(decodeAll(chunks), messages);
});

test('two frames cut at every possible offset decode the same', () => {
  const messages = [request(1), request(2)];
  const bytes = Buffer.concat(messages.map((m) => encodeFrame(m)));
  for (let cut = 0; cut <= bytes.length; cut++) {
    assert.deepEqual(decodeAll([bytes.subarray(0, cut), bytes.subarray(cut)]), messages, `cut at ${cut}`);
  }
});

test('several frames in one chunk are all delivered, in order', () => {
  const messages = Array.from({ length: 50 }, (_, i) => request(i));
  assert.deepEqual(decodeAll([Buffer.concat(messages.map((m) => encodeFrame(m)))]), messages);
});

test('a large frame arriving in many chunks is reassembled', () => {
  const message = request(7, { blob: 'x'.repeat(300_000) });
  const bytes = encodeFrame(message);
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += 65_536) chunks.push(bytes.subarray(offset, offset + 65_536));
  assert.deepEqual(decodeAll(chunks), [message]);
});

test('a body of exactly the size limit is accepted, one byte more is refused at its length prefix', () => {
  const max = 1_000;
  const bodies: Buffer[] = [];
  const splitter = new FrameSplitter(max);
  splitter.push(Buffer.concat([header(max), Buffer.alloc(max, 7)]), (body) => bodies.push(body));
  assert.equal(bodies.length, 1);
  assert.equal(bodies[0]?.length, max);
  // Refused as soon as the prefix is read: the body never has to arrive.
  assert.throws(
    () => new FrameSplitter(max).push(header(max + 1), () => assert.fail('no frame expected')),
    isIpcError(IPC_ERROR_CODES.frameTooLarge, 'expected at most 1000 bytes, found 1001'),
  );
});

test('the default size limit is 16 MiB and a 4 GiB length prefix is refused', () => {
  assert.equal(DEFAULT_MAX_FRAME_BYTES, 16 * 1024 * 1024);
  assert.throws(() => new FrameSplitter().push(header(0xffff_ffff), () => {}), isIpcError(IPC_ERROR_CODES.frameTooLarge));
  assert.throws(
    () => new FrameSplitter().push(header(DEFAULT_MAX_FRAME_BYTES + 1), () => {}),
    isIpcError(IPC_ERROR_CODES.frameTooLarge),
  );
});

test('an outgoing message over the size limit is refused before it is sent', () => {
  const message = request(1, { blob: 'y'.repeat(500) });
  const bodyLength = encodeFrame(message).length - 4;
  assert.equal(new FrameEncoder(bodyLength).encode(message).length, bodyLength + 4);
  assert.throws(
    () => new FrameEncoder(bodyLength - 1).encode(message),
    isIpcError(IPC_ERROR_CODES.frameTooLarge, `expected at most ${bodyLength - 1} bytes, found ${bodyLength}`),
  );
});

test('a zero-length frame is split out, and refused as a message', () => {
  const bodies: Buffer[] = [];
  new FrameSplitter().push(Buffer.concat([header(0), encodeFrame(request(1))]), (body) => bodies.push(body));
  assert.deepEqual(
    bodies.map((b) => b.length),
    [0, encodeFrame(request(1)).length - 4],
  );
  assert.throws(() => decodeFrameBody(createUnpackr(), Buffer.alloc(0)), isIpcError(IPC_ERROR_CODES.frameDecode, 'does not decode'));
});

test('bytes that are not MessagePack are refused with a decode error', () => {
  for (const garbage of [[0x81], [0xc7, 0x01, 0x72, 0x00], [0x01, 0x02]]) {
    assert.throws(
      () => decodeFrameBody(createUnpackr(), Buffer.from(garbage)),
      isIpcError(IPC_ERROR_CODES.frameDecode, 'expected one MessagePack value'),
      `bytes ${garbage.join(',')}`,
    );
  }
});

test('MessagePack that is not a JSON-RPC 2.0 message is refused, saying what was found', () => {
  const packr = new Packr({ useRecords: false });
  const cases: [unknown, string][] = [
    [42, 'found number 42'],
    [[1, 2], 'found an array of 2'],
    [null, 'found null'],
    [{ id: 1, method: 'x' }, 'found an object'],
    [{ jsonrpc: '1.0', id: 1, method: 'x' }, 'found an object'],
  ];
  for (const [value, found] of cases) {
    assert.throws(
      () => decodeFrameBody(createUnpackr(), packr.pack(value)),
      isIpcError(IPC_ERROR_CODES.frameDecode, 'expected a map with jsonrpc "2.0"', found),
    );
  }
  // 0xc1 is "never used" in MessagePack; msgpackr decodes it to an object, which must not pass.
  assert.throws(() => decodeFrameBody(createUnpackr(), Buffer.from([0xc1])), isIpcError(IPC_ERROR_CODES.frameDecode));
});

test('deeply nested MessagePack is refused with a decode error, not a stack overflow', () => {
  const nested = Buffer.alloc(1_000_000, 0x91); // a one-element array inside a one-element array …
  nested[nested.length - 1] = 0x01;
  assert.throws(() => decodeFrameBody(createUnpackr(), nested), isIpcError(IPC_ERROR_CODES.frameDecode));
});

test('a __proto__ key in a frame does not change any prototype', () => {
  const packr = new Packr({ useRecords: false });
  // {"jsonrpc":"2.0","method":"x","params":{"__proto__":{"polluted":true}}}, built by hand.
  const evil = packr.pack({ jsonrpc: '2.0', method: 'x', params: { proto: { polluted: true } } });
  const patched = Buffer.from(evil.toString('latin1').replace('\xa5proto', '\xa9__proto__'), 'latin1');
  assert.equal(patched.length, evil.length + 4, 'the key was rewritten');
  const message = decodeFrameBody(createUnpackr(), patched) as unknown as { params: object };
  assert.ok(!Object.keys(message.params).includes('proto'));
  assert.equal(Object.getPrototypeOf(message.params), Object.prototype);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});

test('a message that cannot be packed is refused with an encode error', () => {
  assert.throws(() => new FrameEncoder().encode({ jsonrpc: '2.0', method: 'x', params: { s: Symbol('no') } }), isIpcError(IPC_ERROR_CODES.frameEncode));
});

test('frames from one encoder stay intact after later encodes', () => {
  const encoder = new FrameEncoder();
  const frames = Array.from({ length: 500 }, (_, i) => encoder.encode(request(i)));
  assert.deepEqual(
    decodeAll([Buffer.concat(frames)]),
    Array.from({ length: 500 }, (_, i) => request(i)),
  );
});

test('a size limit that is not a positive 32-bit integer is refused', () => {
  for (const bad of [0, -1, 1.5, 2 ** 32, Number.NaN]) {
    assert.throws(() => new FrameSplitter(bad), RangeError);
    assert.throws(() => new FrameEncoder(bad), RangeError);
  }
});
