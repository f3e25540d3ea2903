// MOSN's tls_context, for a listener's filter chain (TLS termination, `tls_context` or several in
// `tls_context_set`) and for a cluster (TLS to the upstream). Checked once, at load: certificate,
// key and CA files are read and parsed, and the key must match the certificate, so that
// `mosnctl check` and `start` fail with the path and the reason instead of a worker failing later.
// As in MOSN, cert_chain, private_key and ca_cert each hold a file path or the PEM text itself.
// Relative paths resolve against the config file's folder, like every other path in the file.

import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import type { TlsContextConfig, TlsVersion } from '../types.js';
import { describe, mosnObject } from './common.js';

let fileBase: string | undefined;

/** Runs `fn` (a schema parse) with relative TLS file paths resolved against `dir`. */
export function withFileBase<T>(dir: string, fn: () => T): T {
  const previous = fileBase;
  fileBase = dir;
  try {
    return fn();
  } finally {
    fileBase = previous;
  }
}

// MOSN's names (pkg/mtls), compared lower-case; "tls_auto" leaves Node's default.
const VERSIONS: Readonly<Record<string, TlsVersion | undefined>> = {
  tls_auto: undefined,
  tlsv1_0: 'TLSv1',
  tlsv1_1: 'TLSv1.1',
  tlsv1_2: 'TLSv1.2',
  tlsv1_3: 'TLSv1.3',
};
const VERSION_ORDER: readonly (TlsVersion | undefined)[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

const version = z.string().transform((v, ctx): TlsVersion | undefined => {
  const key = v.toLowerCase();
  if (Object.hasOwn(VERSIONS, key)) return VERSIONS[key];
  ctx.addIssue({ code: 'custom', message: `expected one of ${Object.keys(VERSIONS).map((k) => `"${k}"`).join(', ')}, found ${describe(v)}` });
  return z.NEVER;
});

// MOSN accepts "h2", "http/1.1" and "sofa"; only HTTP/1.1 is spoken here so far.
const alpn = z.string().transform((v, ctx): string[] => {
  const list = v.split(',').map((p) => p.trim().toLowerCase()).filter((p) => p !== '');
  for (const p of list) {
    if (p === 'http/1.1') continue;
    ctx.addIssue({
      code: 'custom',
      message: p === 'h2' || p === 'sofa' ? `ALPN protocol "${p}" is a MOSN value that MOSN.ts does not support yet (supported: "http/1.1")` : `expected "http/1.1", found ${describe(p)}`,
    });
  }
  return list;
});

const rawTlsContext = mosnObject('tlsContext', {
  // MOSN's switch; MOSN turns TLS off when it is missing, here a tls_context means TLS unless status is false.
  status: z.boolean().default(true),
  server_name: z.string().optional(),
  ca_cert: z.string().optional(),
  cert_chain: z.string().optional(),
  private_key: z.string().optional(),
  verify_client: z.boolean().default(false),
  require_client_cert: z.boolean().default(false),
  insecure_skip: z.boolean().default(false),
  cipher_suites: z.string().optional(),
  min_version: version.optional(),
  max_version: version.optional(),
  alpn: alpn.optional(),
});

type Side = 'listener' | 'cluster';

/** A tls_context; undefined when its `status` is false. */
export function tlsContextSchema(side: Side) {
  return rawTlsContext.transform((t, ctx): TlsContextConfig | undefined => {
    if (!t.status) return undefined;
    const issue = (key: string, message: string): void => void ctx.addIssue({ code: 'custom', path: [key], message });

    let leaf: X509Certificate | undefined;
    let certPem: string | undefined;
    let keyPem: string | undefined;
    let certSource = 'none';
    if (t.cert_chain !== undefined || t.private_key !== undefined || side === 'listener') {
      if (t.cert_chain === undefined) issue('cert_chain', `is required with ${side === 'listener' ? 'TLS on a listener' : '"private_key"'} (expected a PEM file path or PEM text)`);
      if (t.private_key === undefined) issue('private_key', `is required with ${side === 'listener' ? 'TLS on a listener' : '"cert_chain"'} (expected a PEM file path or PEM text)`);
    }
    if (t.cert_chain !== undefined) {
      const read = readPem(t.cert_chain, 'certificate chain');
      certSource = read.source;
      if (read.error !== undefined) issue('cert_chain', read.error);
      else {
        const parsed = parseCertificates(read.text, read.source);
        if (typeof parsed === 'string') issue('cert_chain', parsed);
        else {
          leaf = parsed[0];
          certPem = read.text;
        }
      }
    }
    if (t.private_key !== undefined) {
      const read = readPem(t.private_key, 'private key');
      if (read.error !== undefined) issue('private_key', read.error);
      else {
        let key: KeyObject | undefined;
        try {
          key = createPrivateKey(read.text);
        } catch (err) {
          issue('private_key', `expected a PEM private key (unencrypted) in ${read.source}, found none that parses (${reason(err)})`);
        }
        if (key !== undefined && leaf !== undefined && !leaf.checkPrivateKey(key)) {
          issue('private_key', `expected the private key of the certificate in ${certSource} (${leaf.subject.replace(/\n/g, ', ')}), found a key in ${read.source} that does not match it`);
        }
        if (key !== undefined) keyPem = read.text;
      }
    }
    let caPem: string | undefined;
    if (t.ca_cert !== undefined) {
      const read = readPem(t.ca_cert, 'CA certificate');
      if (read.error !== undefined) issue('ca_cert', read.error);
      else {
        const parsed = parseCertificates(read.text, read.source);
        if (typeof parsed === 'string') issue('ca_cert', parsed);
        else caPem = read.text;
      }
    }
    if (side === 'listener' && t.verify_client && t.ca_cert === undefined) {
      issue('verify_client', 'needs "ca_cert" (the CA that signs client certificates), found none');
    }
    if (side === 'listener' && t.insecure_skip) issue('insecure_skip', 'applies to a cluster (not verifying the upstream), found it on a listener');
    if (side === 'cluster' && (t.verify_client || t.require_client_cert)) {
      issue(t.verify_client ? 'verify_client' : 'require_client_cert', 'applies to a listener (client certificates), found it on a cluster');
    }
    if (t.min_version !== undefined && t.max_version !== undefined && VERSION_ORDER.indexOf(t.min_version) > VERSION_ORDER.indexOf(t.max_version)) {
      issue('max_version', `expected a version at least min_version (${t.min_version}), found ${t.max_version}`);
    }
    const sniNames = new Set<string>();
    if (leaf !== undefined) {
      const cn = /(?:^|\n)CN=([^\n]*)/.exec(leaf.subject)?.[1];
      if (cn !== undefined) sniNames.add(cn.toLowerCase());
      for (const part of (leaf.subjectAltName ?? '').split(', ')) {
        if (part.startsWith('DNS:')) sniNames.add(part.slice(4).toLowerCase());
      }
    }
    if (t.server_name !== undefined && t.server_name !== '') sniNames.add(t.server_name.toLowerCase());
    return {
      cert_chain: certPem,
      private_key: keyPem,
      ca_cert: caPem,
      server_name: t.server_name === '' ? undefined : t.server_name,
      sni_names: [...sniNames],
      verify_client: t.verify_client,
      require_client_cert: t.require_client_cert,
      insecure_skip: t.insecure_skip,
      min_version: t.min_version,
      max_version: t.max_version,
      alpn: t.alpn ?? [],
      cipher_suites: t.cipher_suites,
      cert_source: certSource,
    };
  });
}

function reason(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  if (e !== null && typeof e === 'object' && typeof e.message === 'string') return e.message;
  return String(err);
}

/** The PEM text of a value that is either PEM itself or a file path. */
function readPem(value: string, what: string): { text: string; source: string; error?: string } {
  if (value.includes('-----BEGIN')) return { text: value, source: `the inline ${what}` };
  if (value === '') return { text: '', source: '', error: `expected a PEM file path or PEM text (${what}), found ""` };
  const path = isAbsolute(value) ? value : resolve(fileBase ?? process.cwd(), value);
  try {
    return { text: readFileSync(path, 'utf8'), source: path };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'a directory' : reason(err);
    return { text: '', source: path, error: `cannot read the ${what} file ${path}: ${why}` };
  }
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** Every certificate in `pem`, or why there is none usable. */
function parseCertificates(pem: string, source: string): X509Certificate[] | string {
  const blocks = pem.match(PEM_CERT);
  if (blocks === null) return `expected PEM certificates ("-----BEGIN CERTIFICATE-----") in ${source}, found none`;
  const certs: X509Certificate[] = [];
  for (const block of blocks) {
    try {
      certs.push(new X509Certificate(block));
    } catch (err) {
      return `expected valid PEM certificates in ${source}, found one that does not parse (${reason(err)})`;
    }
  }
  return certs;
}
