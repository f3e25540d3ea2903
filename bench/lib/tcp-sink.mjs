// Upstream for the TCP bench. Each connection starts with one line:
//   "UP <bytes>\n"   → read that many bytes, then answer "OK\n" and end;
//   "DOWN <bytes>\n" → send that many bytes, then end.
//   node bench/lib/tcp-sink.mjs PORT

import net from 'node:net';

const port = Number(process.argv[2]);
const block = Buffer.alloc(256 * 1024, 0x61);

net
  .createServer({ noDelay: true, allowHalfOpen: true }, (socket) => {
    let header = '';
    let remaining = -1;
    socket.on('error', () => undefined);
    socket.on('data', function onData(chunk) {
      if (remaining < 0) {
        header += chunk.toString('latin1');
        const nl = header.indexOf('\n');
        if (nl < 0) return;
        const [mode, bytes] = header.slice(0, nl).split(' ');
        remaining = Number(bytes);
        const rest = Buffer.from(header.slice(nl + 1), 'latin1');
        if (mode === 'DOWN') return send(socket, remaining);
        chunk = rest;
      }
      remaining -= chunk.length;
      if (remaining <= 0) socket.end('OK\n');
    });
  })
  .listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));

function send(socket, total) {
  let left = total;
  const pump = () => {
    while (left > 0) {
      const n = Math.min(left, block.length);
      left -= n;
      if (!socket.write(n === block.length ? block : block.subarray(0, n))) return void socket.once('drain', pump);
    }
    socket.end();
  };
  pump();
}
process.on('SIGTERM', () => process.exit(0));
