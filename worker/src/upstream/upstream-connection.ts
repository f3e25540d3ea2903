// One keep-alive connection to an upstream host, carrying one request at a time.
// It frames responses (head, then fixed-length / chunked / until-close body, 1xx in between) and
// hands validated bytes to the exchange that currently owns it; it never buffers a body.
//
//   connect ──► ACTIVE (owner set) ──response complete──► owner.detach ──► IDLE in pool ──acquire──► ACTIVE
//                  │                                                         │
//                  └── error / timeout / reset ──► destroyed ◄── peer close / idle timeout / max requests

import net from 'node:net';
import tls from 'node:tls';
import { ChunkedDecoder } from '../codec/http1/chunked-decoder.js';
import { findHeadEnd } from '../codec/http1/head-end.js';
import { parseErrorText } from '../codec/http1/parse-error.js';
import { ResponseHead, parseResponseHead } from '../codec/http1/response-parser.js';
import { statusHasNoBody } from '../codec/http1/status-text.js';
import { MosnWorkerError, describeSystemError } from '../errors.js';
import type { ConnectionPool } from './connection-pool.js';

/** What an exchange implements to receive its response. Calls happen in this order: head, body*, end; or error. */
export interface UpstreamHandler {
  /** A 1xx response other than 101 (forward it, keep waiting). */
  onUpstreamInformational(head: ResponseHead): void;
  /** The final response head, with the body bytes that arrived with it (`buf[start, end)`, maybe empty). */
  onUpstreamHead(head: ResponseHead, buf: Buffer, start: number, end: number): void;
  onUpstreamBody(buf: Buffer, start: number, end: number): void;
  /** The response is complete. `reusable`: the upstream may be given back to the pool. */
  onUpstreamEnd(): void;
  /**
   * The connection failed. `responseStarted`: a head was delivered. `retriable`: a reused connection
   * failed before any response byte (the classic keep-alive race), so a bodiless request may be resent.
   */
  onUpstreamError(err: MosnWorkerError, responseStarted: boolean, retriable: boolean): void;
  /** The upstream socket drained: request body forwarding may resume. */
  onUpstreamDrain(): void;
  /**
   * The upstream switched protocols (101) for a request that asked to (a WebSocket handshake).
   * The socket is the handler's from now on (no longer in the pool, no listeners of ours), with
   * `rest`: the bytes that followed the 101 head. Without this method a 101 is a protocol error.
   */
  onUpstreamUpgrade?(head: ResponseHead, socket: net.Socket, rest: Buffer): void;
}

const R_IDLE = 0;
const R_HEAD = 1;
const R_FIXED = 2;
const R_CHUNKED = 3;
const R_UNTIL_CLOSE = 4;
const R_DONE = 5;

export class UpstreamConnection {
  readonly socket: net.Socket;
  /** Requests sent on this connection, including the current one. */
  requests = 0;
  /** When it went back to the pool (ms since epoch), for the idle timeout. */
  idleSince = 0;
  destroyed = false;
  /** An exchange is counted in the pool's requests in flight. */
  private inFlight = false;
  private connected = false;
  private handler: UpstreamHandler | null = null;
  private state = R_IDLE;
  private noBody = false;
  private gotBytes = false;
  private headDelivered = false;
  /** The upstream may carry another request after this response. */
  private reusable = true;
  private remaining = 0;
  private pending: Buffer | null = null;
  private readonly head = new ResponseHead();
  private readonly chunked: ChunkedDecoder;
  private connectTimer: NodeJS.Timeout | undefined;

  constructor(readonly pool: ConnectionPool) {
    this.chunked = new ChunkedDecoder(pool.limits.maxChunkMetaBytes);
    // With TLS the connection counts as up once the handshake (and the certificate check) is done.
    const socket = pool.tls === undefined ? net.connect({ host: pool.host.host, port: pool.host.port, noDelay: true }) : tlsConnect(pool);
    this.socket = socket;
    socket.on(pool.tls === undefined ? 'connect' : 'secureConnect', () => this.onConnect());
    socket.on('data', (chunk: Buffer) => {
      try {
        this.onData(chunk);
      } catch (err) {
        // A bug, not bad input (bad input is an ordinary outcome in onData): lose this exchange, not the worker.
        pool.logger.error({ err }, 'upstream connection failed');
        this.failSafely(err);
      }
    });
    socket.on('end', () => this.onEnd());
    socket.on('error', (err: Error) => this.onSocketError(err));
    socket.on('close', () => this.onClose());
    socket.on('drain', () => this.handler?.onUpstreamDrain());
    if (pool.connectTimeoutMs > 0) {
      this.connectTimer = setTimeout(() => this.onConnectTimeout(), pool.connectTimeoutMs);
      this.connectTimer.unref();
    }
  }

  /** True once a request has completed on it (so a failure may be the keep-alive race). */
  get reused(): boolean {
    return this.requests > 1;
  }

  /**
   * Starts an exchange: writes the request head and the body bytes that came with it. Returns
   * false when the socket buffer is full (pause the source until onUpstreamDrain).
   */
  send(handler: UpstreamHandler, head: string, body: Buffer | undefined, noResponseBody: boolean): boolean {
    this.handler = handler;
    this.requests++;
    if (!this.inFlight) {
      this.inFlight = true;
      this.pool.requestStarted();
    }
    this.state = R_HEAD;
    this.noBody = noResponseBody;
    this.gotBytes = false;
    this.headDelivered = false;
    this.pending = null;
    if (body === undefined || body.length === 0) return this.socket.write(head, 'latin1');
    if (body.length <= 4096) {
      // latin1 maps bytes 1:1, so head and a small body leave in a single write.
      return this.socket.write(head + body.toString('latin1'), 'latin1');
    }
    this.socket.cork();
    this.socket.write(head, 'latin1');
    const ok = this.socket.write(body);
    this.socket.uncork();
    return ok;
  }

  write(chunk: Buffer): boolean {
    return this.socket.write(chunk);
  }

  /** The exchange is over. Back to the pool when the whole request was sent and the response allows it. */
  detach(requestComplete: boolean): void {
    this.handler = null;
    this.endExchange();
    if (this.destroyed) return;
    if (requestComplete && this.state === R_DONE && this.reusable && this.connected) {
      this.state = R_IDLE;
      this.pool.release(this);
    } else {
      this.destroy();
    }
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.handler = null;
    this.endExchange();
    if (this.connectTimer !== undefined) clearTimeout(this.connectTimer);
    this.socket.destroy();
    this.pool.remove(this);
  }

  private endExchange(): void {
    if (!this.inFlight) return;
    this.inFlight = false;
    this.pool.requestEnded();
  }

  /** Gives the socket away (protocol upgrade): out of the pool, our listeners removed, never reused. */
  private handOver(): net.Socket {
    this.destroyed = true;
    this.handler = null;
    this.endExchange();
    if (this.connectTimer !== undefined) clearTimeout(this.connectTimer);
    const socket = this.socket;
    for (const event of ['connect', 'secureConnect', 'data', 'end', 'error', 'close', 'drain']) socket.removeAllListeners(event);
    this.pool.removeAsTunnel(this, socket);
    return socket;
  }

  private onConnect(): void {
    this.connected = true;
    if (this.connectTimer !== undefined) {
      clearTimeout(this.connectTimer);
      this.connectTimer = undefined;
    }
  }

  private onData(chunk: Buffer): void {
    const handler = this.handler;
    if (handler === null || this.state === R_DONE) {
      // Bytes nobody asked for (or after a complete response): this connection cannot be trusted.
      this.destroy();
      return;
    }
    this.gotBytes = true;
    let buf = chunk;
    let pos = 0;
    while (this.state === R_HEAD) {
      if (this.pending !== null) {
        buf = Buffer.concat([this.pending, buf.subarray(pos)]);
        pos = 0;
        this.pending = null;
      }
      const max = this.pool.limits.maxResponseHeadBytes;
      const headEnd = findHeadEnd(buf, pos, buf.length);
      if (headEnd === -1 || headEnd - pos > max) {
        if (buf.length - pos > max) return this.fail('protocol', 'response head larger than ' + max + ' bytes');
        this.pending = buf.subarray(pos);
        return;
      }
      const head = this.head;
      const err = parseResponseHead(buf.toString('latin1', pos, headEnd), head, 1000);
      if (err !== 0) return this.fail('protocol', parseErrorText(err));
      pos = headEnd;
      if (head.status < 200) {
        if (head.status === 101) {
          if (handler.onUpstreamUpgrade === undefined) return this.fail('protocol', 'unexpected 101 Switching Protocols');
          return handler.onUpstreamUpgrade(head, this.handOver(), buf.subarray(headEnd));
        }
        handler.onUpstreamInformational(head);
        if (this.handler !== handler) return;
        continue;
      }
      this.reusable = head.keepAlive;
      let bodyEnd = pos;
      if (this.noBody || statusHasNoBody(head.status)) {
        this.state = R_DONE;
      } else if (head.chunked) {
        this.chunked.reset();
        this.state = R_CHUNKED;
        bodyEnd = this.chunked.execute(buf, pos, buf.length);
        if (bodyEnd === -1) return this.fail('protocol', parseErrorText(this.chunked.error || 23));
        if (this.chunked.done) this.state = R_DONE;
      } else if (head.contentLength >= 0) {
        this.remaining = head.contentLength;
        bodyEnd = pos + Math.min(this.remaining, buf.length - pos);
        this.remaining -= bodyEnd - pos;
        this.state = this.remaining === 0 ? R_DONE : R_FIXED;
      } else {
        this.reusable = false;
        this.state = R_UNTIL_CLOSE;
        bodyEnd = buf.length;
      }
      if (this.state === R_DONE && bodyEnd < buf.length) this.reusable = false; // bytes past the response
      this.headDelivered = true;
      this.pool.reportOutcome(head.status < 500);
      handler.onUpstreamHead(head, buf, pos, bodyEnd);
      if (this.state === R_DONE && this.handler === handler) handler.onUpstreamEnd();
      return;
    }
    switch (this.state) {
      case R_FIXED: {
        const n = Math.min(this.remaining, buf.length);
        this.remaining -= n;
        if (this.remaining === 0) {
          this.state = R_DONE;
          if (n < buf.length) this.reusable = false;
        }
        handler.onUpstreamBody(buf, 0, n);
        if (this.state === R_DONE && this.handler === handler) handler.onUpstreamEnd();
        return;
      }
      case R_CHUNKED: {
        const end = this.chunked.execute(buf, 0, buf.length);
        if (end === -1) return this.fail('protocol', parseErrorText(this.chunked.error || 23));
        if (this.chunked.done) {
          this.state = R_DONE;
          if (end < buf.length) this.reusable = false;
        }
        handler.onUpstreamBody(buf, 0, end);
        if (this.state === R_DONE && this.handler === handler) handler.onUpstreamEnd();
        return;
      }
      case R_UNTIL_CLOSE:
        handler.onUpstreamBody(buf, 0, buf.length);
        return;
    }
  }

  private onEnd(): void {
    this.reusable = false;
    const handler = this.handler;
    if (handler !== null && this.state === R_UNTIL_CLOSE) {
      this.state = R_DONE;
      handler.onUpstreamEnd();
      return;
    }
    if (handler !== null && this.state !== R_DONE) {
      this.fail('reset', this.gotBytes ? 'connection closed before the response was complete' : 'connection closed before any response');
      return;
    }
    if (handler === null) this.destroy();
  }

  private onSocketError(err: Error): void {
    if (this.handler === null) {
      this.pool.logger.debug({ err: describeSystemError(err) }, 'idle upstream connection failed');
      this.destroy();
      return;
    }
    this.fail(this.connected ? 'reset' : 'connect', describeSystemError(err), err);
  }

  private onConnectTimeout(): void {
    this.connectTimer = undefined;
    if (this.connected || this.destroyed) return;
    if (this.handler === null) return this.destroy();
    this.fail('connect', 'connect timeout after ' + this.pool.connectTimeoutMs + ' ms');
  }

  private onClose(): void {
    if (this.handler !== null && this.state !== R_DONE) {
      this.fail(this.connected ? 'reset' : 'connect', 'connection closed');
      return;
    }
    this.destroyed = true;
    this.handler = null;
    this.endExchange();
    if (this.connectTimer !== undefined) clearTimeout(this.connectTimer);
    this.pool.remove(this);
  }

  private failSafely(cause: unknown): void {
    try {
      this.fail('protocol', 'internal error', cause);
    } catch {
      this.destroy();
    }
  }

  private fail(kind: 'connect' | 'reset' | 'protocol', reason: string, cause?: unknown): void {
    const handler = this.handler;
    const retriable = kind === 'reset' && !this.gotBytes && this.requests > 1;
    const started = this.headDelivered;
    this.destroy();
    if (handler === null) return;
    // A reused connection the upstream had just closed is the keep-alive race, not a sick host.
    if (!retriable) this.pool.reportOutcome(false);
    if (kind === 'connect') this.pool.connectFailures++;
    const where = 'cluster "' + this.pool.clusterName + '" host ' + this.pool.host.address;
    const err =
      kind === 'connect'
        ? new MosnWorkerError('MOSN_ERR_UPSTREAM_CONNECT', 'upstream connect error: ' + where + ': ' + reason, { cause })
        : kind === 'reset'
          ? new MosnWorkerError('MOSN_ERR_UPSTREAM_RESET', 'upstream reset: ' + where + ': ' + reason, { cause })
          : new MosnWorkerError('MOSN_ERR_UPSTREAM_PROTOCOL', 'upstream protocol error: ' + where + ': ' + reason, { cause });
    handler.onUpstreamError(err, started, retriable);
  }
}

function tlsConnect(pool: ConnectionPool): tls.TLSSocket {
  const socket = tls.connect({ ...pool.tls, host: pool.host.host, port: pool.host.port });
  socket.setNoDelay(true);
  return socket;
}
