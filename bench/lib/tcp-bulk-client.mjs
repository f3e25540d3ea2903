// Moves BYTES through PORT in one direction and prints {"mbps": …}.
//   node bench/lib/tcp-bulk-client.mjs PORT up|down BYTES

import net from 'node:net';

const [port, mode, bytesArg] = [Number(process.argv[2]), process.argv[3], Number(process.argv[4])];
const block = Buffer.alloc(256 * 1024, 0x62);
const socket = net.connect({ port, host: '127.0.0.1', noDelay: true, allowHalfOpen: true });
const started = process.hrtime.bigint();
let received = 0;

socket.on('connect', () => {
  socket.write(`${mode === 'up' ? 'UP' : 'DOWN'} ${bytesArg}\n`);
  if (mode !== 'up') return;
  let left = bytesArg;
  const pump = () => {
    while (left > 0) {
      const n = Math.min(left, block.length);
      left -= n;
      if (!socket.write(n === block.length ? block : block.subarray(0, n))) return void socket.once('drain', pump);
    }
  };
  pump();
});
socket.on('data', (chunk) => (received += chunk.length));
socket.on('end', () => {
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const ok = mode === 'up' ? received === 3 : received === bytesArg;
  process.stdout.write(JSON.stringify({ ok, mbps: bytesArg / 1024 / 1024 / seconds }) + '\n');
  socket.end();
});
socket.on('error', (err) => {
  process.stderr.write(String(err) + '\n');
  process.exitCode = 1;
});
