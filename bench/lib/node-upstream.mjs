// Fallback upstream when nginx is not installed: a node:http server answering BODY_BYTES bytes.
// (It saturates first, around 40k req/s here: numbers measured against it are upstream-bound.)
//   node bench/lib/node-upstream.mjs PORT BODY_BYTES

import http from 'node:http';

const [port, bodyBytes] = process.argv.slice(2).map(Number);
const body = Buffer.from('x'.repeat(bodyBytes - 1) + '\n');
http
  .createServer({ keepAliveTimeout: 300_000 }, (req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
      res.end(body);
    });
  })
  .listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
