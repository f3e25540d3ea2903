#!/usr/bin/env node
// `npm start`: a demo upstream on 127.0.0.1:8081 and the proxy on examples/quickstart.yaml in
// front of it, in the foreground. Ctrl+C stops both.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const config = process.argv[2] ?? `${root}examples/quickstart.yaml`;

const upstream = http.createServer((req, res) => {
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.end(`hello from the demo upstream: ${req.method} ${req.url} (x-request-id ${req.headers['x-request-id'] ?? '-'})\n`);
});
upstream.on('error', (err) => {
  process.stderr.write(`demo upstream: cannot listen on 127.0.0.1:8081: ${err.message}\n`);
  process.exit(1);
});
upstream.listen(8081, '127.0.0.1', () => {
  process.stderr.write('demo upstream listening on 127.0.0.1:8081; proxy on http://127.0.0.1:8080/\n');
  const proxy = spawn(process.execPath, [`${root}supervisor/bin/mosnctl.js`, 'start', '-c', config], { stdio: 'inherit' });
  // Ctrl+C reaches the whole process group: mosnctl stops itself; we only wait for it.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => proxy.kill('SIGTERM'));
  proxy.on('exit', (code) => {
    upstream.close();
    upstream.closeAllConnections();
    process.exitCode = code ?? 1;
  });
});
