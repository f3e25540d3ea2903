/**
 * The admin HTTP server (node:http): routes by path, then method (405 with `Allow`), then — for
 * state-changing endpoints, when `admin_token` is set — `Authorization: Bearer <token>` (401).
 * Unknown paths are a 404 that lists the endpoints. A failing endpoint answers a JSON error with
 * its code; a bug answers 500 and is logged, and never takes the plugin down.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AdminAddress } from '../config.js';
import { MANAGEMENT_ERROR_CODES, ManagementError, messageOf } from '../errors.js';
import { ENDPOINTS } from './endpoints.js';
import type { AdminContext, Endpoint } from './endpoints.js';
import { STATUS_OF, sendError } from './http-io.js';

const BY_PATH = new Map<string, Endpoint>(ENDPOINTS.map((e) => [e.path, e]));
const CLOSE_GRACE_MS = 2_000;

export interface AdminServerOptions {
  readonly context: AdminContext;
  readonly adminToken?: string | undefined;
}

export class AdminServer {
  readonly #server: Server;
  readonly #context: AdminContext;
  readonly #tokenDigest: Buffer | undefined;

  constructor(options: AdminServerOptions) {
    this.#context = options.context;
    this.#tokenDigest = options.adminToken === undefined ? undefined : digest(options.adminToken);
    this.#server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: 5_000 }, (req, res) => {
      this.#handle(req, res).catch((error: unknown) => this.#fail(res, error));
    });
    // A client that stops reading must not hold an answer (a large exposition) for ever.
    this.#server.setTimeout(30_000);
    this.#server.on('clientError', (_error, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      else socket.destroy();
    });
  }

  /** Listens; rejects with MOSN_ERR_ADMIN_LISTEN_FAILED naming the address (in use, not local, no permission). */
  async listen(address: AdminAddress): Promise<AddressInfo> {
    const server = this.#server;
    try {
      server.listen({ host: address.host, port: address.port, exclusive: true });
      await once(server, 'listening');
    } catch (error) {
      const code = (error as { code?: string }).code;
      const why = code === 'EADDRINUSE' ? 'the address is in use (another MOSN, or another admin plugin?)' : code === 'EADDRNOTAVAIL' ? 'no local interface has this address' : code === 'EACCES' ? 'no permission to bind this port' : messageOf(error);
      throw new ManagementError(MANAGEMENT_ERROR_CODES.listenFailed, `cannot serve the admin API on ${address.text}: ${why}${code === undefined ? '' : ` (${code})`}`, { cause: error });
    }
    return server.address() as AddressInfo;
  }

  /** The bound address (with the port the system picked for port 0). */
  address(): AddressInfo | undefined {
    const bound = this.#server.address();
    return typeof bound === 'object' && bound !== null ? bound : undefined;
  }

  /** Stops accepting, lets answers in progress finish (bounded), closes keep-alive connections. */
  async close(): Promise<void> {
    const server = this.#server;
    if (!server.listening) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timer = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
    try {
      await closed;
    } finally {
      clearTimeout(timer);
    }
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://admin.invalid');
    } catch {
      return sendError(res, 400, MANAGEMENT_ERROR_CODES.badRequest, `expected a request target such as /api/v1/stats, found ${JSON.stringify(req.url)}`);
    }
    const endpoint = BY_PATH.get(url.pathname);
    if (endpoint === undefined) {
      return sendError(res, 404, MANAGEMENT_ERROR_CODES.notFound, `no admin endpoint ${url.pathname}`, {
        fields: { endpoints: ENDPOINTS.map((e) => `${e.method} ${e.path}`) },
      });
    }
    const allowed = endpoint.method === 'GET' ? ['GET', 'HEAD'] : ['POST'];
    if (!allowed.includes(req.method ?? '')) {
      return sendError(res, 405, MANAGEMENT_ERROR_CODES.methodNotAllowed, `expected ${allowed.join(' or ')} for ${endpoint.path}, found ${req.method ?? 'none'}`, {
        headers: { allow: allowed.join(', ') },
      });
    }
    if (endpoint.method === 'POST' && !this.#authorized(req)) {
      this.#context.logger.warn({ code: MANAGEMENT_ERROR_CODES.unauthorized, path: endpoint.path, remote: req.socket.remoteAddress }, `admin API: ${endpoint.path} refused without the admin token`);
      return sendError(res, 401, MANAGEMENT_ERROR_CODES.unauthorized, `expected "Authorization: Bearer <admin_token>" for ${endpoint.path}, found ${req.headers.authorization === undefined ? 'none' : 'another token'}`, {
        headers: { 'www-authenticate': 'Bearer realm="mosn-admin"' },
      });
    }
    const unknown = [...new Set(url.searchParams.keys())].filter((k) => !endpoint.params.includes(k));
    if (unknown.length > 0) {
      const takes = endpoint.params.length === 0 ? 'no query parameters' : `only ${endpoint.params.join(', ')}`;
      return sendError(res, 400, MANAGEMENT_ERROR_CODES.badRequest, `${endpoint.path} takes ${takes}, found ${unknown.join(', ')}`);
    }
    await endpoint.handle(this.#context, req, res, url);
  }

  #authorized(req: IncomingMessage): boolean {
    const expected = this.#tokenDigest;
    if (expected === undefined) return true;
    const match = /^Bearer +(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    // Compare digests: equal lengths for timingSafeEqual, and nothing about the token's length leaks.
    return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), expected);
  }

  #fail(res: ServerResponse, error: unknown): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (error instanceof ManagementError) {
      sendError(res, STATUS_OF[error.code], error.code, error.message);
      return;
    }
    this.#context.logger.error({ err: error, code: MANAGEMENT_ERROR_CODES.internal }, `admin API: an endpoint failed: ${messageOf(error)}`);
    sendError(res, 500, MANAGEMENT_ERROR_CODES.internal, `the endpoint failed: ${messageOf(error)}`);
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
