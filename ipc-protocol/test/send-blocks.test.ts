import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameEncoder, createUnpackr, decodeFrameBody } from '../src/frame-codec.js';
import { SendBlocks } from '../src/send-blocks.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** A notification carrying `size` bytes that say which message they belong to. */
function blobMessage(seq: number, size: number) {
  const bytes = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) bytes[i] = (seq * 31 + i) & 0xff;
  return { jsonrpc: '2.0', method: 'test/blob', params: { seq, bytes } };
}

function decode(frame: Buffer): unknown {
  assert.equal(frame.readUInt32BE(0), frame.length - 4, 'length prefix');
  return decodeFrameBody(createUnpackr(), frame.subarray(4));
}

test('a block is taken with room for the message and what comes with it, and taken again once released', () => {
  const blocks = new SendBlocks();
  const first = blocks.take(600 * KiB);
  assert.ok(first.length >= 600 * KiB + 64 * KiB, `room for the payload and its envelope (${first.length} bytes)`);
  assert.equal(first.length % (64 * KiB), 0, 'whole 64 KiB units');
  blocks.release(first);
  assert.equal(blocks.freeCount, 1);
  assert.equal(blocks.take(500 * KiB), first, 'a released block serves the next message that fits');
  assert.equal(blocks.freeCount, 0);
  const small = blocks.take(100);
  assert.ok(small.length >= 256 * KiB, 'never smaller than 256 KiB');
  blocks.release(small);
  const bigger = blocks.take(2 * MiB);
  assert.notEqual(bigger, small, 'a block too small for the message is not taken');
  assert.ok(bigger.length >= 2 * MiB + 64 * KiB);
  assert.equal(blocks.freeCount, 1, 'the small one still waits');
});

test('at most two blocks wait for reuse, the larger ones; one grown past 8 MiB is let go', () => {
  const blocks = new SendBlocks();
  const [a, b, c] = [blocks.take(300 * KiB), blocks.take(1 * MiB), blocks.take(2 * MiB)];
  blocks.release(a);
  blocks.release(b);
  blocks.release(c);
  assert.equal(blocks.freeCount, 2);
  assert.equal(blocks.take(1.5 * MiB), c);
  assert.equal(blocks.take(900 * KiB), b, 'the smallest (a) was the one let go');
  assert.equal(blocks.freeCount, 0);
  blocks.release(blocks.take(9 * MiB));
  assert.equal(blocks.freeCount, 0, 'too large to keep');
});

test('a frame packed into a block is a view of it, and later frames never write into that block', () => {
  const encoder = new FrameEncoder();
  const block = new SendBlocks().take(300 * KiB);
  const message = blobMessage(1, 300 * KiB);
  const frame = encoder.encode(message, block);
  assert.equal(frame.buffer, block.buffer, 'packed in place, not copied out');
  const before = Buffer.from(frame);
  // Small and large messages after it go to msgpackr's own buffers, not after the frame.
  for (let i = 0; i < 200; i++) encoder.encode({ jsonrpc: '2.0', method: 'test/event', params: { seq: i, pad: 'x'.repeat(i * 10) } });
  encoder.encode(blobMessage(2, 200 * KiB));
  assert.ok(frame.equals(before), 'the frame in the block is unchanged');
  const decoded = decode(frame) as typeof message;
  assert.equal(decoded.params.seq, 1);
  assert.ok(Buffer.from(decoded.params.bytes).equals(message.params.bytes), 'decodes to what was sent');
});

test('a message larger than its block is still encoded whole, outside the block', () => {
  const encoder = new FrameEncoder();
  const block = Buffer.allocUnsafeSlow(64 * KiB);
  const message = blobMessage(3, 200 * KiB);
  const frame = encoder.encode(message, block);
  assert.notEqual(frame.buffer, block.buffer);
  const decoded = decode(frame) as { params: { seq: number; bytes: Uint8Array } };
  assert.equal(decoded.params.seq, 3);
  assert.ok(Buffer.from(decoded.params.bytes).equals(message.params.bytes));
});
