import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IPC_ERROR_CODES, IpcError } from '../src/errors.js';
import { RECEIVE_ARENA_BYTES, ReceiveArena } from '../src/receive-arena.js';

// These drive the arena as Node's `onread` does: ask for the next read's room, put bytes there,
// report how many. The socket tests (ipc-protocol's connection and direct-request tests) run it
// under real sockets.

function frame(body: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length, 0);
  return Buffer.concat([header, body]);
}

/** Feeds `bytes` as reads of at most `chunk` bytes (and never more than the room offered). */
function feed(arena: ReceiveArena, bytes: Buffer, chunk = bytes.length): Uint8Array[] {
  const rooms: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const room = arena.onread.buffer();
    rooms.push(room);
    const n = Math.min(chunk, room.length, bytes.length - offset);
    bytes.copy(room, 0, offset, offset + n);
    offset += n;
    if (!arena.onread.callback(n)) break;
  }
  return rooms;
}

interface Listened {
  readonly bodies: Buffer[];
  readonly errors: unknown[];
}

function listen(arena: ReceiveArena, onFrame: (body: Buffer) => void = () => {}, maxFrameBytes = 16 * 1024 * 1024): Listened {
  const bodies: Buffer[] = [];
  const errors: unknown[] = [];
  arena.listen({
    maxFrameBytes,
    onFrame: (body) => {
      bodies.push(Buffer.from(body));
      onFrame(body);
    },
    onError: (error) => errors.push(error),
  });
  return { bodies, errors };
}

test('frames split across reads at every byte, or many to a read, come out whole and in order', () => {
  const bodies = Array.from({ length: 40 }, (_, i) => Buffer.alloc(i * 37 + 1, i));
  const wire = Buffer.concat(bodies.map(frame));
  for (const chunk of [1, 3, 4, 5, 1000, wire.length]) {
    const arena = new ReceiveArena();
    const seen = listen(arena);
    feed(arena, wire, chunk);
    assert.deepEqual(seen.errors, []);
    assert.deepEqual(seen.bodies, bodies, `reads of ${chunk} bytes`);
    assert.equal(arena.pendingBytes, 0);
  }
});

test('bytes received before anyone listens are cut into frames when a listener comes', () => {
  const arena = new ReceiveArena();
  feed(arena, Buffer.concat([frame(Buffer.from('one')), frame(Buffer.from('two'))]), 2);
  assert.equal(arena.pendingBytes, 14);
  const seen = listen(arena);
  assert.deepEqual(seen.bodies.map(String), ['one', 'two']);
  assert.equal(arena.pendingBytes, 0);
});

test('once every frame is handed out and nothing is held, the next read goes to the start of the same memory', () => {
  const arena = new ReceiveArena();
  listen(arena);
  const [first] = feed(arena, frame(Buffer.alloc(150_000, 1)));
  const [second] = feed(arena, frame(Buffer.alloc(150_000, 2)));
  assert.ok(first !== undefined && second !== undefined);
  assert.equal(second.buffer, first.buffer, 'the same buffer');
  assert.equal(second.byteOffset, first.byteOffset, 'from its start');
});

test('a held frame is never written over: later reads go elsewhere until it is released', () => {
  const arena = new ReceiveArena();
  const held: { view: Buffer; release: () => void }[] = [];
  listen(arena, (view) => held.push({ view, release: arena.hold() }));
  const count = Math.ceil((3 * RECEIVE_ARENA_BYTES) / 150_000);
  for (let i = 0; i < count; i++) feed(arena, frame(Buffer.alloc(150_000, i)), 64 * 1024);
  // Frames of 150 KB held at once, more than the buffer and its spare hold.
  held.forEach(({ view }, i) => assert.ok(view.every((b) => b === i), `frame ${i} intact while held`));

  for (const { release } of held) release();
  const [room] = feed(arena, frame(Buffer.alloc(10, 99)));
  assert.ok(room !== undefined);
  assert.equal(room.byteOffset, 0, 'back at the start of a buffer once released');
});

test('while one buffer is held, reads alternate to the spare one rather than to new memory', () => {
  const arena = new ReceiveArena();
  let release: () => void = () => {};
  listen(arena, () => {
    release();
    release = arena.hold();
  });
  // Each frame is held until the next one has arrived, as a batch's write is while the next comes.
  const rooms = Array.from({ length: 12 }, (_, i) => feed(arena, frame(Buffer.alloc(150_000, i)))[0] as Uint8Array);
  const buffers = new Set(rooms.map((room) => room.buffer));
  assert.ok(buffers.size <= 3, `reads went to ${buffers.size} buffers, expected the first, its spare and at most one more`);
});

test('a release called twice, or after its buffer was replaced, changes nothing', () => {
  const arena = new ReceiveArena();
  const releases: (() => void)[] = [];
  listen(arena, () => releases.push(arena.hold()));
  feed(arena, frame(Buffer.alloc(10, 1)));
  const first = releases[0] as () => void;
  const second = arena.hold();
  first();
  first();
  // One hold (`second`) is left: the buffer is not reused yet.
  const [room] = feed(arena, frame(Buffer.alloc(10, 2)));
  assert.ok(room !== undefined && room.byteOffset !== 0, 'still held once');
  second();
});

test('a frame larger than the buffer is received whole, and the arena goes back to its usual size after', () => {
  const arena = new ReceiveArena();
  const seen = listen(arena);
  const big = Buffer.alloc(RECEIVE_ARENA_BYTES + 1024 * 1024 + 5, 7);
  feed(arena, frame(big), 64 * 1024);
  assert.equal(seen.bodies.length, 1);
  assert.ok((seen.bodies[0] as Buffer).equals(big));
  const [room] = feed(arena, frame(Buffer.from('small')));
  assert.ok(room !== undefined);
  assert.equal(room.buffer.byteLength, RECEIVE_ARENA_BYTES);
});

test('a length prefix over the limit stops the reading with MOSN_ERR_IPC_FRAME_TOO_LARGE, without waiting for the body', () => {
  const arena = new ReceiveArena();
  const seen = listen(arena, undefined, 1024);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(1025, 0);
  const rooms = feed(arena, Buffer.concat([frame(Buffer.from('ok')), header, Buffer.alloc(100)]));
  assert.deepEqual(seen.bodies.map(String), ['ok']);
  assert.equal(seen.errors.length, 1);
  const error = seen.errors[0];
  assert.ok(error instanceof IpcError);
  assert.equal(error.code, IPC_ERROR_CODES.frameTooLarge);
  assert.match(error.message, /expected at most 1024 bytes, found 1025/);
  assert.equal(rooms.length, 1, 'the callback told Node to stop reading');
});

test('a frame handler that throws stops the reading and reports the error', () => {
  const arena = new ReceiveArena();
  const seen = listen(arena, (body) => {
    if (String(body) === 'bad') throw new Error('cannot decode');
  });
  feed(arena, Buffer.concat([frame(Buffer.from('good')), frame(Buffer.from('bad')), frame(Buffer.from('never'))]));
  assert.deepEqual(seen.bodies.map(String), ['good', 'bad']);
  assert.equal(seen.errors.length, 1);
  assert.match((seen.errors[0] as Error).message, /cannot decode/);
});
