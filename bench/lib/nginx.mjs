// nginx instances for benches, each in its own temporary prefix (config, pid, logs), run in the
// foreground (`daemon off`) so that stopping the child stops it.

import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pinned, spawnManaged, waitForPort } from './proc.mjs';

const prefixes = [];
process.on('exit', () => {
  for (const dir of prefixes) rmSync(dir, { recursive: true, force: true });
});

/** A temporary prefix, removed at exit (nginx has stopped by then: proc.mjs kills it on exit first). */
function prefixDir(name) {
  const dir = mkdtempSync(join(tmpdir(), `mosn-bench-${name}-`));
  prefixes.push(dir);
  mkdirSync(join(dir, 'logs'));
  return dir;
}

const COMMON = `
worker_processes 1;
error_log logs/error.log warn;
pid logs/nginx.pid;
events { worker_connections 4096; }
`;

const HTTP_COMMON = `
  access_log off;
  client_body_temp_path /tmp;
  proxy_temp_path /tmp;
  fastcgi_temp_path /tmp;
  uwsgi_temp_path /tmp;
  scgi_temp_path /tmp;
  keepalive_requests 100000000;
  keepalive_timeout 300s;
`;

async function start(name, conf, port, cpu) {
  const dir = prefixDir(name);
  const file = join(dir, 'nginx.conf');
  writeFileSync(file, conf);
  const [cmd, args] = pinned(cpu, 'nginx', ['-p', dir, '-c', file, '-g', 'daemon off;']);
  const child = spawnManaged(name, cmd, args);
  await waitForPort(port, child);
  return child;
}

/** An upstream answering every request with `bodyBytes` bytes of text. */
export function startNginxUpstream({ port, bodyBytes, cpu }) {
  const body = 'x'.repeat(bodyBytes - 1) + '\n';
  return start('nginx-upstream', `${COMMON}
http {${HTTP_COMMON}
  server {
    listen 127.0.0.1:${port} reuseport backlog=4096;
    location / { default_type text/plain; return 200 "${body}"; }
  }
}`, port, cpu);
}

/** One nginx answering like startNginxUpstream on each of `ports` (several hosts for load-balancing benches). */
export function startNginxUpstreams({ ports, bodyBytes, cpu }) {
  const body = 'x'.repeat(bodyBytes - 1) + '\n';
  const listens = ports.map((p) => `    listen 127.0.0.1:${p} reuseport backlog=4096;`).join('\n');
  return start('nginx-upstreams', `${COMMON}
http {${HTTP_COMMON}
  server {
${listens}
    location / { default_type text/plain; return 200 "${body}"; }
  }
}`, ports[0], cpu);
}

/** nginx as a reverse proxy: 1 worker, HTTP/1.1 upstream keep-alive (the configuration BENCHMARKING.md measured). */
export function startNginxProxy({ port, upstreamPort, cpu }) {
  return start('nginx-proxy', `${COMMON}
http {${HTTP_COMMON}
  upstream backend { server 127.0.0.1:${upstreamPort}; keepalive 64; keepalive_requests 100000000; }
  server {
    listen 127.0.0.1:${port} backlog=4096;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering on;
    }
  }
}`, port, cpu);
}

/** startNginxProxy terminating TLS (keep-alive HTTPS in front, plain HTTP to the upstream), with `cert` ({ cert, key } paths). */
export function startNginxTlsProxy({ port, upstreamPort, cpu, cert }) {
  return start('nginx-tls-proxy', `${COMMON}
http {${HTTP_COMMON}
  upstream backend { server 127.0.0.1:${upstreamPort}; keepalive 64; keepalive_requests 100000000; }
  server {
    listen 127.0.0.1:${port} ssl backlog=4096;
    ssl_certificate ${cert.cert};
    ssl_certificate_key ${cert.key};
    ssl_protocols TLSv1.2 TLSv1.3;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering on;
    }
  }
}`, port, cpu);
}
