// Certificates for TLS tests, made with the openssl CLI in a temp folder: a CA, and leaf
// certificates it signs (server and client usage) with the names asked for.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

export interface KeyPair {
  /** Paths of the PEM files. */
  cert: string;
  key: string;
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A self-signed CA (EC P-256, valid for a day). */
export function makeCa(dir: string, name = 'MOSN Test CA'): KeyPair {
  const base = path.join(dir, name.replace(/\W+/g, '-'));
  const pair = { cert: `${base}.crt`, key: `${base}.key` };
  openssl([
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
    '-subj', `/CN=${name}`, '-keyout', pair.key, '-out', pair.cert,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return pair;
}

/**
 * A certificate for `commonName` signed by `ca`, with DNS (and IP, for addresses) SANs, usable
 * by servers and clients.
 */
export function makeLeaf(dir: string, ca: KeyPair, commonName: string, names: readonly string[] = [commonName]): KeyPair {
  const base = path.join(dir, commonName.replace(/\W+/g, '-'));
  const pair = { cert: `${base}.crt`, key: `${base}.key` };
  const csr = `${base}.csr`;
  const ext = `${base}.ext`;
  const sans = names.map((n) => (/^[0-9.]+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  writeFileSync(ext, `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=${sans}\n`);
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${commonName}`, '-keyout', pair.key, '-out', csr]);
  openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-days', '1', '-extfile', ext, '-out', pair.cert]);
  return pair;
}

/** A private key alone (to pair with a certificate it does not belong to). */
export function makeKey(dir: string, name: string): string {
  const key = path.join(dir, `${name}.key`);
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key]);
  return key;
}
