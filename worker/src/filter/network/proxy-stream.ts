// The proxying of one request at a time for an HttpConnection: route, pick a host, take a pooled
// upstream connection, send the head (with the body bytes at hand, in one write), relay the
// response with backpressure both ways, enforce the route timeout. One object per downstream
// connection, reset per request: no per-request closures or promises.

import { buildDownstreamResponseHead, buildUpstreamRequestHead } from '../../codec/http1/head-writer.js';
import { BodyKind } from '../../codec/http1/request-parser.js';
import type { ResponseHead } from '../../codec/http1/response-parser.js';
import { statusHasNoBody } from '../../codec/http1/status-text.js';
import type { MosnWorkerError } from '../../errors.js';
import type { ConnectionPool } from '../../upstream/connection-pool.js';
import type { UpstreamConnection, UpstreamHandler } from '../../upstream/upstream-connection.js';
import type { MatchedRoute } from '../../router/index.js';
import type { FilterDecision } from '../stream/plugin-check-filter.js';
import { headerLines } from '../stream/header-lines.js';
import { checkRequestParams } from '../stream/check-request-params.js';
import { RS_DONE, X_ACTIVE } from './exchange-state.js';
import type { HttpConnection } from './http-connection.js';

/** Methods that may be sent again after a stale keep-alive connection failed before answering (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

export class ProxyStream implements UpstreamHandler {
  private readonly conn: HttpConnection;
  private upstream: UpstreamConnection | null = null;
  private pool: ConnectionPool | null = null;
  private upstreamHead = '';
  private clusterName = '';
  private retried = false;
  private headSent = false;
  private upstreamPaused = false;
  private timeoutMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerMs = 0;
  /** While stream filters decide: body chunks that arrive wait here (the socket is paused). */
  private pendingBody: Buffer[] | null = null;
  /** Identifies the request a filter decision belongs to; bumped on abort, so a late decision is dropped. */
  private filterSeq = 0;
  private extraLines = '';

  constructor(conn: HttpConnection) {
    this.conn = conn;
  }

  /** Routes conn.req, runs the listener's stream filters if any, then answers locally or dispatches upstream. */
  start(): void {
    const conn = this.conn;
    const req = conn.req;
    const ctx = conn.ctx;
    this.headSent = false;
    this.retried = false;
    this.upstreamPaused = false;
    this.extraLines = '';
    const route = ctx.routes.match(req.authority, req.path, conn.getHeader);
    const filters = ctx.streamFilters;
    if (filters === undefined) return this.dispatch(route, undefined);
    const cached = filters.cached(req.method, req.path, req.fields);
    if (cached !== undefined) {
      this.pendingBody = [];
      return this.onFilterDecision(++this.filterSeq, route, cached);
    }
    // Stream filters ask plugins, asynchronously: hold the body until they have decided.
    const seq = ++this.filterSeq;
    this.pendingBody = [];
    conn.pauseForUpstream();
    filters.decide(checkRequestParams(conn, route)).then(
      (decision) => this.onFilterDecision(seq, route, decision),
      (err: unknown) => {
        ctx.logger.error({ err }, 'stream filter failed');
        this.onFilterDecision(seq, route, { action: 'respond', status: 500, body: 'stream filter failed\n', headers: undefined });
      },
    );
  }

  private onFilterDecision(seq: number, route: MatchedRoute | undefined, decision: FilterDecision): void {
    if (seq !== this.filterSeq || this.pendingBody === null) return; // the exchange was aborted meanwhile
    const conn = this.conn;
    const pending = this.pendingBody;
    this.pendingBody = null;
    if (decision.action === 'respond') {
      const invalid = (name: string): void => conn.ctx.logger.warn({ header: name }, 'a plugin returned an invalid header; not sent');
      conn.resumeFromUpstream();
      return conn.localReply(decision.status, decision.body, headerLines(decision.headers, invalid));
    }
    // What a filter sets replaces what the client sent under the same name (no spoofed identity).
    if (decision.upstream.drop.length > 0) conn.req.fields.dropNamed(decision.upstream.drop);
    this.extraLines = decision.upstream.lines;
    // Resume first: dispatch() pauses again if the upstream cannot take the body yet.
    conn.resumeFromUpstream();
    this.dispatch(route, pending);
  }

  private dispatch(route: MatchedRoute | undefined, pending: Buffer[] | undefined): void {
    const conn = this.conn;
    const req = conn.req;
    const ctx = conn.ctx;
    if (route === undefined) {
      return conn.localReply(404, 'no route for ' + req.method + ' ' + (req.authority ?? '') + req.path + '\n');
    }
    const action = route.action;
    if (action.kind === 'direct') return conn.localReply(action.status, action.body);
    const cluster = ctx.clusters.get(action.cluster);
    if (cluster === undefined) return conn.localReply(503, 'cluster "' + action.cluster + '" is not configured\n');
    const pool = cluster.pickPool();
    if (pool === undefined) {
      ctx.logger.debug({ code: 'MOSN_ERR_NO_HOST', cluster: action.cluster }, 'no host in cluster');
      return conn.localReply(503, 'no host in cluster "' + action.cluster + '"\n');
    }
    const body = conn.takeBufferedBody();
    if (body === null) return; // the body that came with the head is malformed: already answered 400

    this.pool = pool;
    this.clusterName = cluster.name;
    this.timeoutMs = action.timeoutMs;
    this.upstreamHead = buildUpstreamRequestHead(req, {
      path: route.rewritePath(req.path),
      host: action.hostRewrite ?? req.authority,
      clientAddress: conn.clientAddress,
      forwardedLines: conn.forwardedLines,
      generatedRequestId: req.requestId === '' ? ctx.requestIds.next() : undefined,
      extraLines: this.extraLines,
    });
    const up = pool.acquire();
    this.upstream = up;
    let ok = up.send(this, this.upstreamHead, body, req.method === 'HEAD');
    if (pending !== undefined) for (const chunk of pending) ok = up.write(chunk);
    if (conn.reqState === RS_DONE) this.onRequestComplete();
    else if (!ok) conn.pauseForUpstream();
  }

  writeBody(chunk: Buffer): void {
    if (this.pendingBody !== null) {
      this.pendingBody.push(chunk);
      return;
    }
    const up = this.upstream;
    if (up !== null && !up.write(chunk)) this.conn.pauseForUpstream();
  }

  /** The whole request is forwarded: the route timeout runs from here (as in Envoy). */
  onRequestComplete(): void {
    const ms = this.timeoutMs;
    if (ms > 0 && this.upstream !== null) {
      if (this.timer !== undefined && this.timerMs === ms) {
        this.timer.refresh();
      } else {
        if (this.timer !== undefined) clearTimeout(this.timer);
        this.timer = setTimeout(() => this.onTimeout(), ms);
        this.timer.unref();
        this.timerMs = ms;
      }
    } else if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  /** Stops the exchange (downstream closed or broke the framing). Returns whether a response had started. */
  abort(): boolean {
    this.pendingBody = null;
    this.filterSeq++;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const up = this.upstream;
    this.upstream = null;
    if (up !== null) up.destroy();
    return this.headSent && this.conn.resState === X_ACTIVE;
  }

  onDownstreamDrain(): void {
    if (this.upstreamPaused) {
      this.upstreamPaused = false;
      this.upstream?.socket.resume();
    }
  }

  // ── UpstreamHandler ───────────────────────────────────────────────────────────────────────

  onUpstreamInformational(head: ResponseHead): void {
    // 1xx (e.g. 100 Continue) go to HTTP/1.1 clients only; HTTP/1.0 does not know them.
    if (this.conn.req.minor === 1) this.conn.socket.write(buildDownstreamResponseHead(head, undefined), 'latin1');
  }

  onUpstreamHead(head: ResponseHead, buf: Buffer, start: number, end: number): void {
    const conn = this.conn;
    const req = conn.req;
    if (head.chunked && req.minor === 0) {
      // We asked in HTTP/1.0, which cannot carry chunked: the upstream broke the protocol.
      return this.failLocally(502, 'upstream protocol error: cluster "' + this.clusterName + '": chunked response to an HTTP/1.0 request');
    }
    const untilClose = !head.chunked && head.contentLength < 0 && req.method !== 'HEAD' && !statusHasNoBody(head.status);
    const close = untilClose || conn.mustCloseAfterResponse();
    conn.responseClose = close;
    this.headSent = true;
    const str = buildDownstreamResponseHead(head, close ? 'close' : req.minor === 0 ? 'keep-alive' : undefined);
    if (!conn.writeResponseStart(str, buf, start, end)) this.pauseUpstream();
  }

  onUpstreamBody(buf: Buffer, start: number, end: number): void {
    if (end === start) return;
    const ok = this.conn.socket.write(start === 0 && end === buf.length ? buf : buf.subarray(start, end));
    if (!ok) this.pauseUpstream();
  }

  onUpstreamEnd(): void {
    const up = this.upstream;
    if (up === null) return;
    this.upstream = null;
    if (this.upstreamPaused) {
      this.upstreamPaused = false;
      up.socket.resume();
    }
    up.detach(this.conn.reqState === RS_DONE);
    this.conn.onResponseComplete();
  }

  onUpstreamError(err: MosnWorkerError, responseStarted: boolean, retriable: boolean): void {
    this.upstream = null;
    this.upstreamPaused = false;
    const conn = this.conn;
    const req = conn.req;
    if (retriable && !this.retried && this.pool !== null && req.bodyKind === BodyKind.NONE && IDEMPOTENT.has(req.method)) {
      // A pooled connection the upstream had just closed: send again, once, on a new connection.
      this.retried = true;
      const up = this.pool.acquireFresh();
      this.upstream = up;
      up.send(this, this.upstreamHead, undefined, req.method === 'HEAD');
      return;
    }
    conn.ctx.logger.debug({ code: err.code, err: err.message, client: conn.clientAddress }, 'upstream request failed');
    if (responseStarted) {
      conn.destroy(); // the client must not take a truncated response for a complete one
      return;
    }
    conn.localReply(502, err.message + '\n');
  }

  onUpstreamDrain(): void {
    this.conn.resumeFromUpstream();
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────

  private onTimeout(): void {
    const conn = this.conn;
    const up = this.upstream;
    // Only the exchange that armed the timer (request complete, response pending) can time out.
    if (up === null || conn.reqState !== RS_DONE || conn.resState !== X_ACTIVE) return;
    const text =
      'upstream timeout: no complete response within the route timeout of ' + this.timerMs + ' ms (cluster "' + this.clusterName + '")';
    conn.ctx.logger.debug({ code: 'MOSN_ERR_ROUTE_TIMEOUT', client: conn.clientAddress, cluster: this.clusterName }, text);
    if (this.headSent) {
      this.upstream = null;
      up.destroy();
      conn.destroy();
      return;
    }
    this.failLocally(504, text);
  }

  private failLocally(status: number, text: string): void {
    const up = this.upstream;
    this.upstream = null;
    this.upstreamPaused = false;
    if (up !== null) up.destroy();
    this.conn.localReply(status, text + '\n');
  }

  private pauseUpstream(): void {
    const up = this.upstream;
    if (up !== null && !this.upstreamPaused) {
      this.upstreamPaused = true;
      up.socket.pause();
    }
  }
}
