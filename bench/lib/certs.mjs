// A throwaway certificate for TLS benches (the same one for MOSN.ts and nginx), made with the
// openssl CLI, and an HTTPS GET that accepts it (the sanity check before a run).

import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A self-signed EC P-256 certificate for 127.0.0.1 / localhost: `{ cert, key }` file paths. */
export function makeBenchCert() {
  const dir = mkdtempSync(join(tmpdir(), 'mosn-bench-cert-'));
  const cert = join(dir, 'bench.crt');
  const key = join(dir, 'bench.key');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  return { cert, key };
}

/** GET https://127.0.0.1:port/ without verifying the certificate: `{ status, body }`. */
export function httpsGet(port, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path: '/', headers, rejectUnauthorized: false, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
  });
}
