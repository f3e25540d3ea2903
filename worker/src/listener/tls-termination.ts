// TLS termination for a listener whose filter chain has tls_context (or tls_context_set). The
// supervisor hands us a plain listening socket; each accepted TCP connection is fed to a tls.Server
// that is never bound itself, and the network filter gets the decrypted TLSSocket once the
// handshake is done. Listeners without TLS never come here (their path stays as it was).
//
//   accept ──raw socket──► tls.Server ('connection') ──handshake──► 'secureConnection' ──► filter
//                                  └── bad hello / failed verification / handshake timeout ──► destroyed, logged
//
// Several contexts (tls_context_set): the client's SNI picks the first context whose names
// (certificate CN and DNS SANs, server_name) match exactly or by a "*." wildcard; no SNI or no
// match gets the first context. Client certificate rules follow MOSN's: verify_client with
// require_client_cert refuses clients without a valid certificate; verify_client alone checks a
// certificate when one is sent; require_client_cert alone asks for one without checking it.

import type net from 'node:net';
import tls from 'node:tls';
import type { ListenerConfig, TlsContextConfig } from '@mosn/config';
import type { Logger } from 'pino';
import { MosnWorkerError, describeSystemError } from '../errors.js';
import type { ConnectionTracker, TrackedConnection } from './connection-tracker.js';

/** Time allowed for a handshake when the listener has no header_read_timeout. */
const DEFAULT_HANDSHAKE_TIMEOUT_MS = 60_000;

export interface TlsTermination {
  /** Takes an accepted TCP connection; `onSecure` gets it back as a TLSSocket after the handshake. */
  accept(socket: net.Socket): void;
}

export function createTlsTermination(
  listener: ListenerConfig,
  onSecure: (socket: tls.TLSSocket) => void,
  logger: Logger,
  tracker?: ConnectionTracker,
): TlsTermination | undefined {
  const contexts = listener.filter_chains[0]?.tls_contexts ?? [];
  const first = contexts[0];
  if (first === undefined) return undefined;
  const secure = contexts.map((c) => ({ names: c.sni_names, context: secureContext(listener.name, c) }));
  const defaultContext = secure[0]?.context;
  const lookup = new Map<string, tls.SecureContext>();
  for (const { names, context } of secure) for (const name of names) if (!lookup.has(name)) lookup.set(name, context);

  const verify = first.verify_client;
  const require = first.require_client_cert;
  const filter = listener.filter_chains[0]?.filters[0];
  const handshakeTimeout = (filter?.type === 'proxy' ? filter.config.extend_config?.header_read_timeout : undefined) ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  const server = tls.createServer({
    allowHalfOpen: true,
    handshakeTimeout,
    requestCert: verify || require,
    // Only the strict combination lets OpenSSL refuse the handshake; "verify if given" is checked below.
    rejectUnauthorized: verify && require,
    ...(first.alpn.length === 0 ? {} : { ALPNProtocols: first.alpn }),
    // The default context's settings (used without SNI, or when nothing else matches).
    ...contextOptions(first),
    ...(secure.length > 1
      ? {
          SNICallback: (servername: string, cb: (err: Error | null, ctx?: tls.SecureContext) => void) => cb(null, matchServerName(lookup, servername) ?? defaultContext),
        }
      : {}),
  });
  // Raw socket → untrack, for the handshakes in progress (the TLSSocket wraps the raw one).
  const pending = new WeakMap<net.Socket, () => void>();
  server.on('secureConnection', (socket: tls.TLSSocket) => {
    const raw = (socket as unknown as { _parent?: net.Socket })._parent;
    const untrack = raw === undefined ? undefined : pending.get(raw);
    if (untrack !== undefined && raw !== undefined) {
      pending.delete(raw);
      raw.off('close', untrack);
      // The HTTP connection made by onSecure tracks it from here; remove the handshake entry after.
      queueMicrotask(untrack);
    }
    if (verify && !require && socket.getPeerCertificate() !== null && Object.keys(socket.getPeerCertificate()).length > 0 && !socket.authorized) {
      logger.debug({ client: socket.remoteAddress, reason: String(socket.authorizationError) }, 'client certificate refused');
      socket.destroy();
      return;
    }
    onSecure(socket);
  });
  server.on('tlsClientError', (err: Error, socket: tls.TLSSocket) => {
    logger.debug({ client: socket.remoteAddress, err: describeSystemError(err) }, 'TLS handshake failed');
  });
  return {
    accept(socket) {
      // A connection in its handshake is a connection too: a drain waits for it (it becomes an
      // HTTP connection, tracked on its own, or fails), and a close destroys it.
      if (tracker !== undefined) {
        const handshaking: TrackedConnection = { drain: () => undefined, destroy: () => socket.destroy() };
        tracker.add(handshaking);
        const done = (): void => tracker.remove(handshaking);
        socket.once('close', done);
        pending.set(socket, done);
      }
      server.emit('connection', socket);
    },
  };
}

/** Node's SecureContext options for a tls_context (also used by clusters). */
export function contextOptions(c: TlsContextConfig): tls.SecureContextOptions {
  return {
    ...(c.cert_chain === undefined ? {} : { cert: c.cert_chain }),
    ...(c.private_key === undefined ? {} : { key: c.private_key }),
    ...(c.ca_cert === undefined ? {} : { ca: c.ca_cert }),
    ...(c.min_version === undefined ? {} : { minVersion: c.min_version }),
    ...(c.max_version === undefined ? {} : { maxVersion: c.max_version }),
    ...(c.cipher_suites === undefined ? {} : { ciphers: c.cipher_suites }),
  };
}

function secureContext(listener: string, c: TlsContextConfig): tls.SecureContext {
  try {
    return tls.createSecureContext(contextOptions(c));
  } catch (err) {
    // The loader checked the files; OpenSSL may still refuse a setting (a cipher list it does not know).
    throw new MosnWorkerError('MOSN_ERR_WORKER_CONFIG', `listener "${listener}": TLS context for ${c.cert_source} cannot be used: ${describeSystemError(err)}`, { cause: err });
  }
}

/** MOSN's server name match: the exact name, then "*.rest" with one label replaced at a time. */
export function matchServerName<T>(names: ReadonlyMap<string, T>, servername: string): T | undefined {
  let name = servername.toLowerCase();
  while (name.endsWith('.')) name = name.slice(0, -1);
  const exact = names.get(name);
  if (exact !== undefined) return exact;
  let dot = name.indexOf('.');
  while (dot > 0 && dot < name.length - 1) {
    const found = names.get('*' + name.slice(dot));
    if (found !== undefined) return found;
    dot = name.indexOf('.', dot + 1);
  }
  return undefined;
}
