// The proxying of one request at a time for an HttpConnection: route, pick a host, take a pooled
// upstream connection, send the head (with the body bytes at hand, in one write), relay the
// response with backpressure both ways, enforce the route timeout. One object per downstream
// connection, reset per request: no per-request closures or promises.

import { buildDownstreamResponseHead, buildUpstreamRequestHead } from '../../codec/http1/head-writer.js';
import { BodyKind } from '../../codec/http1/request-parser.js';
import type { ResponseHead } from '../../codec/http1/response-parser.js';
import { statusHasNoBody } from '../../codec/http1/status-text.js';
import type net from 'node:net';
import type { MosnWorkerError } from '../../errors.js';
import type { Cluster } from '../../upstream/cluster-manager.js';
import type { CircuitBreaker, OverflowLimit, PoolWaiter } from '../../upstream/circuit-breaker.js';
import { requestHashKey } from '../../upstream/lb/hash-key.js';
import type { ConnectionPool } from '../../upstream/connection-pool.js';
import type { UpstreamConnection, UpstreamHandler } from '../../upstream/upstream-connection.js';
import { RETRY_BODY_LIMIT_BYTES, type ClusterAction, type MatchedRoute } from '../../router/index.js';
import { redirectLocation } from '../../router/redirect.js';
import type { FilterDecision } from '../stream/plugin-check-filter.js';
import { headerLines } from '../stream/header-lines.js';
import { filterRequest } from '../stream/filter-request.js';
import { RS_DONE, X_ACTIVE } from './exchange-state.js';
import type { HttpConnection } from './http-connection.js';

/** Methods that may be sent again after a stale keep-alive connection failed before answering (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/** Marks a 503 the circuit breakers answered (Envoy's x-envoy-overloaded). */
const OVERLOADED_LINE = 'x-mosn-overloaded: true\r\n';

/** The replay buffer of a request without a body (never written to). */
const NO_BODY: Buffer[] = [];

export class ProxyStream implements UpstreamHandler, PoolWaiter {
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
  // ── per request, for the route options (left at their resting values when a route has none) ──
  private action: ClusterAction | null = null;
  private route: MatchedRoute | null = null;
  private cluster: Cluster | null = null;
  /** Tries made for this request (retries + 1), and the pools they went to. */
  private tries = 0;
  private readonly tried: ConnectionPool[] = [];
  /** Body bytes kept for a retry; null when the body cannot be replayed (too large, or no retry policy). */
  private replay: Buffer[] | null = null;
  private replayBytes = 0;
  /** A retry counted in the cluster's max_retries is in flight. */
  private retryInFlight = false;
  private tryTimer: NodeJS.Timeout | undefined;
  /** Pending body chunks already kept for a retry when the request started waiting for a connection. */
  private keptBeforeWait = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  /** Waiting for a connection (max_connections reached): the breaker that queued us, and the body bytes that came with the head. */
  private waitingOn: CircuitBreaker | null = null;
  private waitingBody: Buffer | undefined;

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
    if (this.action !== null) this.endRouteState();
    const route = ctx.routes.match(req.authority, req.path, conn.getHeader);
    if (route !== undefined) conn.virtualHost = route.virtualHost;
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
    filters.decide(filterRequest(conn, route)).then(
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
      conn.flag('NR');
      return conn.localReply(404, 'no route for ' + req.method + ' ' + (req.authority ?? '') + req.path + '\n');
    }
    const action = route.action;
    if (action.kind === 'direct') return conn.localReply(action.status, action.body, action.responseLines);
    if (action.kind === 'redirect') return conn.localReply(action.status, undefined, 'location: ' + redirectLocation(action, req, conn.secure) + '\r\n' + action.responseLines);
    let clusterName = action.cluster;
    if (action.clusterHeader !== undefined) {
      clusterName = req.fields.get(action.clusterHeader) ?? '';
      if (clusterName === '') return conn.localReply(503, 'no cluster: the request has no "' + action.clusterHeader + '" header (cluster_header)\n');
    } else if (action.weighted !== undefined) {
      clusterName = action.weighted.pick();
    }
    const cluster = ctx.clusters.get(clusterName);
    if (cluster === undefined) return conn.localReply(503, 'cluster "' + clusterName + '" is not configured\n');
    const pool = cluster.pickPool(cluster.hashing ? { hashKey: requestHashKey(action.hashPolicy, conn.getHeader, conn.clientAddress) } : undefined);
    if (pool === undefined) {
      ctx.logger.debug({ code: 'MOSN_ERR_NO_HOST', cluster: clusterName }, 'no host in cluster');
      conn.flag('UH');
      return conn.localReply(503, 'no host in cluster "' + clusterName + '"\n');
    }
    const overflow = cluster.breaker.admit(pool);
    if (overflow !== undefined) return this.overloaded(cluster.name, overflow, '');
    const body = conn.takeBufferedBody();
    if (body === null) return; // the body that came with the head is malformed: already answered 400

    this.pool = pool;
    this.clusterName = cluster.name;
    this.timeoutMs = action.timeoutMs;
    this.action = action;
    this.route = route;
    this.cluster = cluster;
    const headers = action.headers;
    if (headers !== undefined) {
      if (headers.requestDrop.length > 0) req.fields.dropNamed(headers.requestDrop);
      if (headers.requestLines !== '') this.extraLines += headers.requestLines;
    }
    this.upstreamHead = this.buildHead(route, pool);
    if (action.retry !== undefined) this.startRetryState(pool, body, pending);
    if (action.idleTimeoutMs > 0) this.armIdleTimer(action.idleTimeoutMs);
    const up = pool.acquireOrWait(this);
    if (up === undefined) return this.waitForConnection(cluster.breaker, body, pending);
    this.sendFirst(up, body, pending);
  }

  private sendFirst(up: UpstreamConnection, body: Buffer | undefined, pending: Buffer[] | undefined): void {
    const conn = this.conn;
    this.upstream = up;
    let ok = up.send(this, this.upstreamHead, body, conn.req.method === 'HEAD');
    if (pending !== undefined) for (const chunk of pending) ok = up.write(chunk);
    if (conn.reqState === RS_DONE) this.onRequestComplete();
    else if (!ok) conn.pauseForUpstream();
  }

  writeBody(chunk: Buffer): void {
    if (this.pendingBody !== null) {
      this.pendingBody.push(chunk);
      return;
    }
    if (this.replay !== null) this.keepForReplay(chunk);
    if (this.idleTimer !== undefined) this.idleTimer.refresh();
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
    if (this.action !== null && this.action.retry !== undefined) this.armTryTimer();
  }

  /** Stops the exchange (downstream closed or broke the framing). Returns whether a response had started. */
  abort(): boolean {
    this.cancelWait();
    this.pendingBody = null;
    this.filterSeq++;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.action !== null) this.endRouteState();
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
    if (this.conn.req.minor === 1) this.conn.sendText(buildDownstreamResponseHead(head, undefined));
  }

  onUpstreamHead(head: ResponseHead, buf: Buffer, start: number, end: number): void {
    const conn = this.conn;
    const req = conn.req;
    const action = this.action;
    let extra = '';
    if (action !== null) {
      if (action.retry !== undefined) {
        if (action.retry.retriesStatus(head.status) && this.retry('status ' + head.status)) return;
        this.clearTryTimer();
      }
      if (this.idleTimer !== undefined) this.idleTimer.refresh();
      const headers = action.headers;
      if (headers !== undefined) {
        if (headers.responseDrop.length > 0) head.fields.dropNamed(headers.responseDrop);
        extra = headers.responseLines;
      }
    }
    if (head.chunked && req.minor === 0) {
      // We asked in HTTP/1.0, which cannot carry chunked: the upstream broke the protocol.
      return this.failLocally(502, 'upstream protocol error: cluster "' + this.clusterName + '": chunked response to an HTTP/1.0 request');
    }
    const untilClose = !head.chunked && head.contentLength < 0 && req.method !== 'HEAD' && !statusHasNoBody(head.status);
    const close = untilClose || conn.mustCloseAfterResponse();
    conn.responseClose = close;
    conn.responseStatus = head.status;
    conn.responseHead = head;
    const notes = conn.notes;
    if (notes !== null) {
      if (notes.timesSteps) notes.responseHeadAt = performance.now();
      notes.upstreamHost = this.pool === null ? '' : this.pool.host.address;
    }
    this.headSent = true;
    const str = buildDownstreamResponseHead(head, close ? 'close' : req.minor === 0 ? 'keep-alive' : undefined, extra);
    if (!conn.writeResponseStart(str, buf, start, end)) this.pauseUpstream();
  }

  onUpstreamBody(buf: Buffer, start: number, end: number): void {
    if (end === start) return;
    if (this.idleTimer !== undefined) this.idleTimer.refresh();
    const ok = this.conn.send(start === 0 && end === buf.length ? buf : buf.subarray(start, end));
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
    if (this.action !== null) this.endRouteState();
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
    if (!responseStarted && this.action !== null && this.action.retry !== undefined) {
      const retry = this.action.retry;
      // A connect failure never reached the upstream; after a reset it may have acted on the request.
      const allowed = err.code === 'MOSN_ERR_UPSTREAM_CONNECT' || (err.code === 'MOSN_ERR_UPSTREAM_RESET' && retry.retriesAfterSend(req.method));
      if (allowed && this.retry(err.message)) return;
    }
    conn.ctx.logger.debug({ code: err.code, err: err.message, client: conn.clientAddress }, 'upstream request failed');
    const lines = this.action?.headers?.responseLines ?? '';
    if (this.action !== null) this.endRouteState();
    if (responseStarted) {
      conn.flag('UR');
      conn.destroy(); // the client must not take a truncated response for a complete one
      return;
    }
    conn.flag(err.code === 'MOSN_ERR_UPSTREAM_CONNECT' ? 'UF' : err.code === 'MOSN_ERR_UPSTREAM_RESET' ? 'UR' : 'UP');
    conn.localReply(502, err.message + '\n', lines);
  }

  onUpstreamDrain(): void {
    this.conn.resumeFromUpstream();
  }

  /** 101 to a WebSocket handshake: forward it, then the connection becomes a tunnel to `socket`. */
  onUpstreamUpgrade(head: ResponseHead, socket: net.Socket, rest: Buffer): void {
    const conn = this.conn;
    this.upstream = null;
    this.upstreamPaused = false;
    if (!conn.req.websocket) {
      socket.destroy();
      return this.failLocally(502, 'upstream protocol error: cluster "' + this.clusterName + '": 101 Switching Protocols to a request that did not ask for it');
    }
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const idleMs = this.action?.idleTimeoutMs ?? 0;
    if (this.action !== null) this.endRouteState();
    this.headSent = true;
    const upgrade = head.upgrade === '' ? conn.req.upgradeValue : head.upgrade;
    conn.startTunnel(buildDownstreamResponseHead(head, undefined, 'connection: upgrade\r\nupgrade: ' + upgrade + '\r\n'), socket, rest, idleMs);
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
    this.countTimeout();
    if (this.headSent) {
      this.upstream = null;
      up.destroy();
      conn.destroy();
      return;
    }
    this.failLocally(504, text);
  }

  // ── route options: retries, idle timeout, upstream head ───────────────────────────────────

  private buildHead(route: MatchedRoute, pool: ConnectionPool): string {
    const conn = this.conn;
    const req = conn.req;
    const action = this.action;
    const generatedRequestId = req.requestId === '' ? conn.ctx.requestIds.next() : undefined;
    if (conn.notes !== null && generatedRequestId !== undefined) {
      conn.notes.requestId = generatedRequestId;
      conn.notes.requestIdMade = true;
    }
    return buildUpstreamRequestHead(req, {
      path: route.rewritePath(req.path),
      host: action === null ? req.authority : action.autoHostRewrite ? pool.host.address : (action.hostRewrite ?? req.authority),
      clientAddress: conn.clientAddress,
      forwardedLines: conn.forwardedLines,
      secure: conn.secure,
      generatedRequestId,
      extraLines: this.extraLines,
    });
  }

  /** The first try of a request whose route retries: remember the pool, keep the body while it is small. */
  private startRetryState(pool: ConnectionPool, body: Buffer | undefined, pending: Buffer[] | undefined): void {
    this.tries = 1;
    this.tried.length = 0;
    this.tried.push(pool);
    this.retryInFlight = false;
    this.replayBytes = 0;
    if (this.conn.req.bodyKind === BodyKind.NONE) {
      this.replay = NO_BODY;
      return;
    }
    this.replay = [];
    // Bytes that arrived with the head live in the connection's input buffer: copy them.
    if (body !== undefined) this.keepForReplay(Buffer.from(body));
    if (pending !== undefined) for (const chunk of pending) this.keepForReplay(chunk);
  }

  private keepForReplay(chunk: Buffer): void {
    const replay = this.replay;
    if (replay === null || replay === NO_BODY) return;
    this.replayBytes += chunk.length;
    if (this.replayBytes > RETRY_BODY_LIMIT_BYTES) {
      this.replay = null; // too large to keep: this request is not retried
      return;
    }
    replay.push(chunk);
  }

  /**
   * Sends the request again, to another host of the cluster when there is one, if the policy has a
   * try left, no response byte went downstream, the body can be replayed and the circuit breaker
   * allows it. Returns false (nothing done) otherwise.
   */
  private retry(reason: string): boolean {
    const action = this.action;
    const cluster = this.cluster;
    const replay = this.replay;
    if (action === null || cluster === null || action.retry === undefined || replay === null || this.headSent) return false;
    if (this.tries > action.retry.numRetries) return false;
    if (this.retryInFlight) {
      this.retryInFlight = false;
      cluster.breaker.retryDone();
    }
    if (!cluster.breaker.tryRetry()) return false;
    this.retryInFlight = true;
    const conn = this.conn;
    const req = conn.req;
    this.tries++;
    conn.ctx.stats.retriesTotal++;
    cluster.retries++;
    const old = this.upstream;
    this.upstream = null;
    if (old !== null) old.destroy();
    this.clearTryTimer();
    if (this.upstreamPaused) this.upstreamPaused = false;
    const hashKey = cluster.hashing ? requestHashKey(action.hashPolicy, conn.getHeader, conn.clientAddress) : undefined;
    // Another host when there is one; else the same host again (a single-host cluster still retries).
    const pool = cluster.pickPool({ exclude: this.tried, hashKey }) ?? cluster.pickPool({ hashKey }) ?? this.pool;
    if (pool === null) return false;
    conn.ctx.logger.debug({ cluster: cluster.name, host: pool.host.address, try: this.tries, reason }, 'retrying request');
    this.tried.push(pool);
    if (action.autoHostRewrite && pool !== this.pool && this.route !== null) this.upstreamHead = this.buildHead(this.route, pool);
    this.pool = pool;
    const body = replay.length === 0 ? undefined : replay.length === 1 ? replay[0] : Buffer.concat(replay);
    const up = pool.acquire();
    this.upstream = up;
    const ok = up.send(this, this.upstreamHead, body, req.method === 'HEAD');
    if (conn.reqState === RS_DONE) this.armTryTimer();
    else if (ok) conn.resumeFromUpstream();
    else conn.pauseForUpstream();
    return true;
  }

  private armTryTimer(): void {
    const ms = this.action?.retry?.perTryTimeoutMs ?? 0;
    if (ms <= 0 || this.upstream === null) return;
    this.clearTryTimer();
    this.tryTimer = setTimeout(() => this.onTryTimeout(), ms);
    this.tryTimer.unref();
  }

  private clearTryTimer(): void {
    if (this.tryTimer !== undefined) {
      clearTimeout(this.tryTimer);
      this.tryTimer = undefined;
    }
  }

  private onTryTimeout(): void {
    this.tryTimer = undefined;
    const retry = this.action?.retry;
    if (retry === undefined || this.upstream === null || this.headSent) return;
    const ms = retry.perTryTimeoutMs;
    if (retry.retriesAfterSend(this.conn.req.method) && this.retry('per-try timeout of ' + ms + ' ms')) return;
    this.failLocally(504, 'upstream timeout: no response within the retry_timeout of ' + ms + ' ms (cluster "' + this.clusterName + '")');
  }

  private armIdleTimer(ms: number): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.onIdleTimeout(ms), ms);
    this.idleTimer.unref();
  }

  private onIdleTimeout(ms: number): void {
    this.idleTimer = undefined;
    const up = this.upstream;
    // Still waiting for a connection (max_connections): the idle clock starts once there is one.
    if (up === null && this.waitingOn !== null) return this.armIdleTimer(ms);
    if (up === null) return;
    const text = 'upstream idle timeout: no data either way for ' + ms + ' ms (cluster "' + this.clusterName + '")';
    this.conn.ctx.logger.debug({ code: 'MOSN_ERR_ROUTE_TIMEOUT', client: this.conn.clientAddress, cluster: this.clusterName }, text);
    this.countTimeout();
    if (this.headSent) {
      this.upstream = null;
      up.destroy();
      this.endRouteState();
      this.conn.destroy();
      return;
    }
    this.failLocally(504, text);
  }

  /** The exchange is over (or abandoned): timers and retry state back to rest. */
  private endRouteState(): void {
    this.clearTryTimer();
    if (this.idleTimer !== undefined) {
      clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
    }
    if (this.retryInFlight) {
      this.retryInFlight = false;
      this.cluster?.breaker.retryDone();
    }
    this.action = null;
    this.route = null;
    this.cluster = null;
    this.replay = null;
    if (this.tried.length !== 0) this.tried.length = 0;
  }

  private failLocally(status: number, text: string): void {
    const up = this.upstream;
    this.upstream = null;
    this.upstreamPaused = false;
    if (up !== null) up.destroy();
    // The route's response_headers_to_add apply to the proxy's own answers for it too (Envoy's rule).
    const lines = this.action?.headers?.responseLines ?? '';
    if (this.action !== null) this.endRouteState();
    this.conn.localReply(status, text + '\n', lines);
  }

  // ── circuit breakers: waiting for a connection, answering 503 over a limit ─────────────────

  /** Every connection the cluster may open is busy: wait (the body read so far is kept, the client paused). */
  private waitForConnection(breaker: CircuitBreaker, body: Buffer | undefined, pending: Buffer[] | undefined): void {
    this.waitingOn = breaker;
    // Bytes that arrived with the head live in the connection's input buffer: copy them.
    this.waitingBody = body === undefined ? undefined : Buffer.from(body);
    this.pendingBody = pending ?? [];
    // These chunks are already kept for a retry (startRetryState); only later ones are added.
    this.keptBeforeWait = this.pendingBody.length;
    this.conn.pauseForUpstream();
  }

  onPoolReady(up: UpstreamConnection): void {
    const pending = this.pendingBody ?? [];
    const body = this.waitingBody;
    this.waitingOn = null;
    this.waitingBody = undefined;
    this.pendingBody = null;
    if (this.replay !== null) for (let i = this.keptBeforeWait; i < pending.length; i++) this.keepForReplay(pending[i] as Buffer);
    this.keptBeforeWait = 0;
    this.conn.resumeFromUpstream();
    this.sendFirst(up, body, pending);
  }

  onPoolTimeout(waitedMs: number): void {
    this.waitingOn = null;
    this.waitingBody = undefined;
    this.pendingBody = null;
    this.conn.resumeFromUpstream();
    this.overloaded(this.clusterName, 'max_connections', ' (no connection free within ' + waitedMs + ' ms)');
  }

  private cancelWait(): void {
    const breaker = this.waitingOn;
    if (breaker === null) return;
    this.waitingOn = null;
    this.waitingBody = undefined;
    breaker.cancel(this);
  }

  private countTimeout(): void {
    this.conn.flag('UT');
    const cluster = this.conn.ctx.clusters.get(this.clusterName);
    if (cluster !== undefined) cluster.timeouts++;
  }

  private overloaded(clusterName: string, limit: OverflowLimit, detail: string): void {
    const conn = this.conn;
    conn.ctx.stats.upstreamOverflowTotal++;
    const overflowing = conn.ctx.clusters.get(clusterName);
    if (overflowing !== undefined) overflowing.overflows++;
    conn.ctx.logger.debug({ code: 'MOSN_ERR_UPSTREAM_OVERFLOW', cluster: clusterName, limit }, 'circuit breaker: request refused');
    if (this.action !== null) this.endRouteState();
    conn.flag('UO');
    conn.localReply(503, 'upstream overflow: cluster "' + clusterName + '" is at its ' + limit + ' limit' + detail + '\n', OVERLOADED_LINE);
  }

  private pauseUpstream(): void {
    const up = this.upstream;
    if (up !== null && !this.upstreamPaused) {
      this.upstreamPaused = true;
      up.socket.pause();
    }
  }
}
