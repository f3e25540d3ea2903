import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { OutputForwarder } from '../src/generation/output-forwarder.js';

test('output is forwarded line by line across chunk boundaries, and the last lines are kept', async () => {
  const lines: [string, string][] = [];
  const forwarder = new OutputForwarder({ line: (text, stream) => lines.push([stream, text]) }, 3);
  const out = new PassThrough();
  const err = new PassThrough();
  forwarder.attach(out, 'stdout');
  forwarder.attach(err, 'stderr');
  out.write('{"msg":"a"}\n{"ms');
  out.write('g":"b"}\r\n\n');
  err.write('boom\n');
  out.end('tail without newline');
  err.end();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(lines, [
    ['stdout', '{"msg":"a"}'],
    ['stdout', '{"msg":"b"}'],
    ['stderr', 'boom'],
    ['stdout', 'tail without newline'],
  ]);
  assert.deepEqual(forwarder.recent(), ['{"msg":"b"}', 'boom', 'tail without newline']);
});

test('a runaway line without a newline is flushed once over the bound instead of accumulating', async () => {
  const lines: string[] = [];
  const forwarder = new OutputForwarder({ line: (text) => lines.push(text) }, 10, 1024);
  const out = new PassThrough();
  forwarder.attach(out, 'stdout');
  out.write('x'.repeat(3000));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(lines.length, 1);
  assert.equal(lines[0]?.length, 3000);
});
