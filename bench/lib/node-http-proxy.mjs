// The baseline of BENCHMARKING.md: a reverse proxy on node:http with a keep-alive http.Agent,
// stripping hop-by-hop headers both ways (so that Connection: close clients behave).
//   node bench/lib/node-http-proxy.mjs LISTEN_PORT UPSTREAM_PORT

import http from 'node:http';

const [listenPort, upstreamPort] = process.argv.slice(2).map(Number);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

function strip(headers) {
  const out = {};
  for (const [k, v] of Object.entries(headers)) if (!HOP.has(k)) out[k] = v;
  return out;
}

http
  .createServer((req, res) => {
    const up = http.request(
      { host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: strip(req.headers), agent },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, strip(upRes.headers));
        upRes.pipe(res);
      },
    );
    up.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(up);
  })
  .listen(listenPort, '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => process.exit(0));
