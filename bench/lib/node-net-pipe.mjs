// The floor for any Node proxy (BENCHMARKING.md): each client connection piped to its own
// upstream connection, no HTTP work at all. Only valid for keep-alive traffic of one upstream.
//   node bench/lib/node-net-pipe.mjs LISTEN_PORT UPSTREAM_PORT

import net from 'node:net';

const [listenPort, upstreamPort] = process.argv.slice(2).map(Number);
net
  .createServer({ noDelay: true }, (client) => {
    const upstream = net.connect({ port: upstreamPort, host: '127.0.0.1', noDelay: true });
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  })
  .listen(listenPort, '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => process.exit(0));
