// A listener: one net.Server accepting for one configured address, handing each connection to
// the listener's network filter. The socket is either bound here (standalone) or a duplicate of
// the supervisor's kernel socket received over IPC (the supervisor did bind(); we listen on it).

import net from 'node:net';
import type { ListenerConfig } from '@mosn/config';
import type { Logger } from 'pino';
import { MosnWorkerError, describeSystemError } from '../errors.js';
import { type TlsTermination, createTlsTermination } from './tls-termination.js';
import type { ConnectionTracker } from './connection-tracker.js';

export type ListenSource = object | { host: string; port: number };

/** What a network filter gives its listener: how to take each accepted connection. */
export interface NetworkFilter {
  onConnection(socket: net.Socket): void;
}

export function isAddressSource(source: ListenSource): source is { host: string; port: number } {
  const s = source as { host?: unknown; port?: unknown };
  return typeof s.host === 'string' && typeof s.port === 'number';
}

export class Listener {
  readonly config: ListenerConfig;
  private readonly server: net.Server;
  private readonly logger: Logger;
  /** Set when the filter chain terminates TLS: accepted sockets go through the handshake first. */
  private readonly tls: TlsTermination | undefined;
  private closed = false;

  constructor(config: ListenerConfig, filter: NetworkFilter, logger: Logger, tracker?: ConnectionTracker) {
    this.config = config;
    this.logger = logger;
    this.tls = createTlsTermination(config, (socket) => filter.onConnection(socket), logger.child({ component: 'tls' }), tracker);
    const tlsTermination = this.tls;
    // allowHalfOpen: a client that shuts down its sending side after a request still gets the
    // response (HTTP), and TCP proxy half-close is carried through.
    this.server = net.createServer(
      { allowHalfOpen: true, noDelay: true },
      tlsTermination === undefined ? (socket) => filter.onConnection(socket) : (socket) => tlsTermination.accept(socket),
    );
  }

  listen(source: ListenSource): Promise<{ port: number }> {
    const where = isAddressSource(source) ? source.host + ':' + source.port : this.config.address + ' (socket from the supervisor)';
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        const reason = err.code === 'EADDRINUSE' ? 'address in use' : describeSystemError(err);
        reject(new MosnWorkerError('MOSN_ERR_LISTEN', 'listener "' + this.config.name + '" cannot listen on ' + where + ': ' + reason, { cause: err }));
      };
      this.server.once('error', onError);
      const onListening = (): void => {
        this.server.off('error', onError);
        // Errors after start (EMFILE on accept, …) are transient for a listening socket: log-worthy, not fatal.
        this.server.on('error', (err) => this.logger.warn({ err: describeSystemError(err) }, 'accept failed'));
        const address = this.server.address();
        resolve({ port: typeof address === 'object' && address !== null ? address.port : 0 });
      };
      try {
        if (isAddressSource(source)) this.server.listen({ host: source.host, port: source.port }, onListening);
        else this.server.listen(source, onListening);
      } catch (err) {
        this.server.off('error', onError);
        reject(new MosnWorkerError('MOSN_ERR_LISTEN', 'listener "' + this.config.name + '" cannot listen on ' + where + ': ' + describeSystemError(err), { cause: err }));
      }
    });
  }

  /** Stops accepting: closes our handle only (connections stay; the supervisor's socket stays open). */
  stopAccepting(): void {
    if (this.closed) return;
    this.closed = true;
    // Handshakes in progress go on: their connections then drain like any other.
    if (this.server.listening) this.server.close();
  }
}
