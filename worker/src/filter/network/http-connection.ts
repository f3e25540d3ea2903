// One downstream HTTP/1.1 connection: reads and validates requests, runs them one at a time
// through its ProxyStream, writes responses in order, and decides when the connection ends.
//
// Requests are handled strictly one after another: bytes of pipelined requests wait in the input
// buffer (reading pauses past a bound) until the current response is complete, so responses can
// never be mixed up. The exchange is over when both sides are done:
//
//            ┌──────────── request side ─────────────┐      ┌──── response side ────┐
//   bytes ─► RS_HEAD ──head──► RS_BODY ──body done──► RS_DONE    X_IDLE ─► X_ACTIVE ─► X_DONE
//               ▲                                        │                              │
//               └────────── both done: finishExchange ◄──┴──────────────────────────────┘
//                           (keep-alive: next buffered request; else close with linger)
//
// Timers: one for the head (header timeout on a new connection or a started head, keep-alive
// idle timeout between requests; refreshed, not re-created), one in the stream for the route
// timeout. Closing is graceful (end, keep reading and discarding for a while, then destroy), so
// that the last response is not lost to a TCP reset caused by unread input.

import type net from 'node:net';
import { findBareLineBreak, findHeadEnd } from '../../codec/http1/head-end.js';
import { buildLocalResponse } from '../../codec/http1/head-writer.js';
import { ParseError, type ParseErrorCode, parseErrorStatus, parseErrorText } from '../../codec/http1/parse-error.js';
import { BodyKind, RequestHead, parseRequestHead } from '../../codec/http1/request-parser.js';
import type { ConnectionTracker, TrackedConnection } from '../../listener/connection-tracker.js';
import { RS_BODY, RS_DONE, RS_HEAD, X_ACTIVE, X_DONE, X_IDLE } from './exchange-state.js';
import type { HttpProxyContext } from './http-proxy.js';
import { InputBuffer } from './input-buffer.js';
import { RequestBodyFramer } from './request-body.js';
import { ProxyStream } from './proxy-stream.js';
import { newNotes, type ExchangeNotes, type ExchangeView } from '../../access-log/access-log-recorder.js';
import type { ResponseHead } from '../../codec/http1/response-parser.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };


/** During a drain, an idle keep-alive connection is closed only once idle this long (see drain()). */
const MIN_IDLE_BEFORE_CLOSE_MS = 1000;

const P_UPSTREAM = 1;
const P_PIPELINE = 2;

export class HttpConnection implements TrackedConnection {
  readonly ctx: HttpProxyContext;
  readonly socket: net.Socket;
  readonly clientAddress: string;
  /** The connection is TLS (terminated by the listener). */
  readonly secure: boolean;
  /** X-Forwarded-For / -Proto lines for requests that carry none, built once per connection. */
  readonly forwardedLines: string;
  readonly req = new RequestHead();
  /** Router callback, bound once per connection. */
  readonly getHeader: (lname: string) => string | undefined;
  reqState = RS_HEAD;
  resState = X_IDLE;
  /** The response in progress is the last one on this connection. */
  responseClose = false;
  draining = false;
  /** Status of the response in progress (set by whoever answers: the proxy stream or localReply). */
  responseStatus = 0;
  /** The upstream's response head, while its response is relayed (for %RESP.name% in access logs). */
  responseHead: ResponseHead | null = null;
  /** What the access log needs of the exchange in progress; null when the listener does not log. */
  readonly notes: ExchangeNotes | null;
  private accessView: Mutable<ExchangeView> | undefined;
  /** Virtual host of the request in progress (for metrics); set by the proxy stream. */
  virtualHost = '';
  /** performance.now() at the request head, when metrics or the access log are on. */
  private metricsT0 = 0;
  /**
   * Bytes read from and written to the client by this connection's own code (a tunnel's relay is
   * not counted here). Counted as they pass: socket.bytesWritten copies the socket's write queue
   * on every read, and the access log and metrics read both counts per request.
   */
  private bytesIn = 0;
  private bytesOut = 0;
  private bytesReadCounted = 0;
  private bytesWrittenCounted = 0;
  private readonly stream: ProxyStream;
  private readonly tracker: ConnectionTracker;
  private readonly input = new InputBuffer();
  private readonly body: RequestBodyFramer;
  private requestCount = 0;
  private pauseMask = 0;
  private processing = false;
  private readEnded = false;
  private closing = false;
  private closed = false;
  /** Bytes of a head have arrived; the header timeout runs from the first of them. */
  private headStarted = true;
  private headTimer: NodeJS.Timeout;
  private headTimerMs: number;
  private drainTimer: NodeJS.Timeout | undefined;
  /** After a protocol upgrade (WebSocket): the upstream socket bytes are relayed to and from. */
  private tunnel: net.Socket | null = null;
  /** When the connection last became idle (accepted, or a response finished). */
  private idleSince = Date.now();

  constructor(ctx: HttpProxyContext, socket: net.Socket, tracker: ConnectionTracker) {
    this.ctx = ctx;
    this.socket = socket;
    this.tracker = tracker;
    this.clientAddress = socket.remoteAddress ?? '';
    this.secure = (socket as { encrypted?: boolean }).encrypted === true;
    this.forwardedLines = 'x-forwarded-for: ' + this.clientAddress + (this.secure ? '\r\nx-forwarded-proto: https\r\n' : '\r\nx-forwarded-proto: http\r\n');
    this.body = new RequestBodyFramer(ctx.limits.maxChunkMetaBytes);
    this.notes = ctx.accessLog === undefined ? null : newNotes(ctx.accessLog.timesSteps);
    this.stream = new ProxyStream(this);
    this.getHeader = (lname) => this.req.fields.get(lname);
    this.headTimerMs = ctx.limits.headerTimeoutMs;
    this.headTimer = setTimeout(() => this.onHeadTimer(), this.headTimerMs);
    this.headTimer.unref();
    ctx.stats.connectionsActive++;
    ctx.stats.connectionsTotal++;
    const lm = ctx.listenerMetrics;
    if (lm !== undefined) {
      lm.connectionsActive.value++;
      lm.connectionsTotal.value++;
    }
    tracker.add(this);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('drain', () => this.stream.onDownstreamDrain());
    socket.on('error', (err: Error) => this.onError(err));
    socket.on('close', () => this.onClose());
  }

  // ── reading ───────────────────────────────────────────────────────────────────────────────

  private onData(chunk: Buffer): void {
    this.bytesIn += chunk.length;
    if (this.closing) return; // lingering: discard
    try {
      if (this.reqState === RS_BODY && this.input.length === 0) {
        const stop = this.scanBody(chunk, 0, chunk.length);
        if (stop < 0) return;
        if (stop > 0) this.stream.writeBody(stop === chunk.length ? chunk : chunk.subarray(0, stop));
        if (stop < chunk.length) this.bufferPipelined(chunk.subarray(stop));
        if ((this.reqState as number) === RS_DONE) this.onRequestComplete(); // scanBody may have changed it
        return;
      }
      if (this.reqState === RS_HEAD) {
        this.input.push(chunk);
        this.processInput();
      } else {
        this.bufferPipelined(chunk);
      }
    } catch (err) {
      // A bug, not bad input (bad input is an ordinary outcome above): lose this connection, not the worker.
      this.ctx.logger.error({ err }, 'http connection failed');
      this.destroy();
    }
  }

  private bufferPipelined(bytes: Buffer): void {
    this.input.push(bytes);
    if (this.input.length > this.ctx.limits.maxPipelineBufferBytes) this.pause(P_PIPELINE);
  }

  /** Parses and starts every complete request in the input, one at a time. */
  private processInput(): void {
    if (this.processing) return;
    this.processing = true;
    while (this.reqState === RS_HEAD && this.resState === X_IDLE && !this.closing && this.input.length > 0) {
      if (!this.parseNextHead()) break;
    }
    this.processing = false;
  }

  private parseNextHead(): boolean {
    const input = this.input;
    const buf = input.buf;
    const end = input.end;
    let start = input.start;
    // RFC 9112 §2.2: ignore empty lines before a request line (some clients send CRLF after a body).
    while (start + 1 < end && buf[start] === 13 && buf[start + 1] === 10) start += 2;
    if (start !== input.start) {
      input.consume(start - input.start);
      if (input.length === 0) return false;
    }
    const max = this.ctx.limits.maxRequestHeadBytes;
    const from = start + Math.max(0, input.scanned - 3);
    const headEnd = findHeadEnd(buf, from, end);
    if (headEnd === -1) {
      // Not complete yet: refuse early what can never become a valid head.
      if (end - start > max) return this.reject(ParseError.HEAD_TOO_LARGE);
      const bad = findBareLineBreak(buf, from, end);
      if (bad !== 0) return this.reject(bad);
      input.scanned = end - start;
      if (!this.headStarted) {
        this.headStarted = true;
        this.armHeadTimer(this.ctx.limits.headerTimeoutMs);
      }
      return false;
    }
    if (headEnd - start > max) return this.reject(ParseError.HEAD_TOO_LARGE);
    const err = parseRequestHead(buf.toString('latin1', start, headEnd), this.req, this.ctx.limits.maxRequestHeaders);
    if (err !== 0) return this.reject(err);
    input.consume(headEnd - start);
    this.headStarted = false;
    this.startRequest(headEnd - start);
    return true;
  }

  /** `headBytes`: the size of the request head just consumed from the input. */
  private startRequest(headBytes: number): void {
    const req = this.req;
    this.ctx.stats.requestsTotal++;
    this.requestCount++;
    this.resState = X_ACTIVE;
    this.responseClose = false;
    this.responseStatus = 0;
    this.responseHead = null;
    this.virtualHost = '';
    const notes = this.notes;
    if (this.ctx.listenerMetrics !== undefined || notes !== null) this.metricsT0 = performance.now();
    if (notes !== null) {
      notes.t0 = this.metricsT0;
      notes.requestDoneAt = req.bodyKind === BodyKind.NONE && notes.timesSteps ? notes.t0 : -1;
      notes.responseHeadAt = -1;
      // The exchange's bytes start at its head; bytes of pipelined requests read ahead are counted
      // in bytesIn too, and what is still buffered is not ours.
      notes.bytesReadAtStart = this.bytesIn - this.input.length - headBytes;
      notes.bytesWrittenAtStart = this.bytesOut;
      notes.upstreamHost = '';
      notes.responseFlag = '';
      notes.requestId = '';
      notes.requestIdMade = false;
      notes.requestPairs = this.ctx.accessLog?.requestPairs(this.getHeader) ?? null;
    }
    if (req.bodyKind === BodyKind.NONE) {
      this.reqState = RS_DONE;
    } else {
      this.reqState = RS_BODY;
      this.body.start(req);
    }
    this.stream.start();
  }

  /**
   * Validates body bytes buf[start, end) against the request's framing. Returns where the body
   * ends in it (bytes after belong to the next request), or -1 after rejecting the request.
   * Sets reqState to RS_DONE when the body is complete; the caller forwards, then reports that.
   */
  scanBody(buf: Buffer, start: number, end: number): number {
    const stop = this.body.scan(buf, start, end);
    if (stop < 0) this.rejectBody(this.body.error);
    else if (this.body.complete) this.reqState = RS_DONE;
    return stop;
  }

  /** Body bytes that arrived with the head, validated and consumed: sent with the upstream head. Null after a rejection. */
  takeBufferedBody(): Buffer | undefined | null {
    const input = this.input;
    if (this.reqState !== RS_BODY || input.length === 0) return undefined;
    const buf = input.buf;
    const start = input.start;
    const stop = this.scanBody(buf, start, input.end);
    if (stop < 0) return null;
    input.consume(stop - start);
    return stop === start ? undefined : buf.subarray(start, stop);
  }

  onRequestComplete(): void {
    if (this.notes !== null && this.notes.timesSteps) this.notes.requestDoneAt = performance.now();
    this.unpause(P_UPSTREAM);
    if (this.resState === X_DONE) this.finishExchange();
    else this.stream.onRequestComplete();
  }

  private onEnd(): void {
    this.readEnded = true;
    if (this.closing) return;
    if (this.reqState === RS_HEAD && this.resState === X_IDLE) {
      // A partial head can never complete now; an idle connection simply ends.
      if (this.input.length > 0) this.destroy();
      else this.closeGracefully();
    } else if (this.reqState === RS_BODY) {
      this.ctx.logger.debug({ client: this.clientAddress }, 'client closed during the request body');
      this.destroy();
    }
    // RS_DONE: the response is still coming; finishExchange closes after it.
  }

  // ── writing ───────────────────────────────────────────────────────────────────────────────

  /** Writes a response head and the body bytes that came with it, as one write when small. */
  writeResponseStart(head: string, buf: Buffer, start: number, end: number): boolean {
    const socket = this.socket;
    const n = end - start;
    this.bytesOut += head.length + n; // latin1: one byte per character
    if (n === 0) return socket.write(head, 'latin1');
    if (n <= 4096) return socket.write(head + buf.toString('latin1', start, end), 'latin1');
    socket.cork();
    socket.write(head, 'latin1');
    const ok = socket.write(buf.subarray(start, end));
    socket.uncork();
    return ok;
  }

  /** Writes bytes to the client (counted). */
  send(bytes: Buffer): boolean {
    this.bytesOut += bytes.length;
    return this.socket.write(bytes);
  }

  /** Writes a head (latin1, one byte per character) to the client (counted). */
  sendText(text: string): boolean {
    this.bytesOut += text.length;
    return this.socket.write(text, 'latin1');
  }

  /** Whether the response about to start must be the last on this connection. */
  mustCloseAfterResponse(): boolean {
    const max = this.ctx.limits.maxRequestsPerConnection;
    return !this.req.keepAlive || this.draining || this.readEnded || this.reqState !== RS_DONE || (max > 0 && this.requestCount >= max);
  }

  /** A response made by the proxy (errors, direct responses) for the current request. */
  localReply(status: number, body: string | undefined, extraLines = ''): void {
    // A body that already arrived is consumed (and validated), so that the connection can stay open.
    if (this.reqState === RS_BODY && this.takeBufferedBody() === null) return;
    const close = this.mustCloseAfterResponse();
    const connection = close ? 'close' : this.req.minor === 0 ? 'keep-alive' : undefined;
    this.responseStatus = status;
    if (this.notes !== null && this.notes.timesSteps) this.notes.responseHeadAt = performance.now();
    this.send(buildLocalResponse(status, body, connection, undefined, this.req.method === 'HEAD', extraLines));
    this.responseClose = close;
    this.onResponseComplete();
  }

  onResponseComplete(): void {
    this.resState = X_DONE;
    const lm = this.ctx.listenerMetrics;
    if (this.notes !== null || lm !== undefined) {
      const now = performance.now();
      if (this.notes !== null) this.ctx.accessLog?.record(this.exchangeView(), now);
      if (lm !== undefined) {
        lm.http.record(this.virtualHost, this.responseStatus, (now - this.metricsT0) / 1000);
        this.countBytes(lm.http, this.bytesIn, this.bytesOut);
      }
    }
    if (this.reqState === RS_DONE) this.finishExchange();
    else this.closeGracefully(); // the rest of the request body is discarded while lingering
  }

  /**
   * Bytes since the last count, into the listener's byte counters: per response from our own
   * counts, at close from the socket's (which include a tunnel's relayed bytes).
   */
  private countBytes(http: { bytesReceived: { value: number }; bytesSent: { value: number } }, read: number, written: number): void {
    // socket.bytesWritten counts bytes still queued; a reset throws them away and it goes back:
    // counters only ever go up.
    if (read > this.bytesReadCounted) {
      http.bytesReceived.value += read - this.bytesReadCounted;
      this.bytesReadCounted = read;
    }
    if (written > this.bytesWrittenCounted) {
      http.bytesSent.value += written - this.bytesWrittenCounted;
      this.bytesWrittenCounted = written;
    }
  }

  /**
   * Notes why the exchange did not end normally, with Envoy's response flags as MOSN prints them
   * (%response_flag%): NR no route, UH no healthy host, UF upstream connect failure, UR upstream
   * reset, UT upstream timeout, UO circuit breaker overflow, UP upstream protocol error, DC the
   * client went away. Free when the listener does not log.
   */
  flag(code: string): void {
    const notes = this.notes;
    if (notes !== null && notes.responseFlag === '') notes.responseFlag = code;
  }

  /**
   * The exchange as the access log reads it (only on listeners that log). One object per
   * connection, refilled per exchange: the recorder reads it synchronously and keeps nothing.
   */
  private exchangeView(): ExchangeView {
    const req = this.req;
    const socket = this.socket;
    let view = this.accessView;
    if (view === undefined) {
      view = this.accessView = {
        notes: this.notes as ExchangeNotes,
        method: '',
        path: '',
        minor: 1,
        requestId: '',
        status: 0,
        bytesRead: 0,
        bytesWritten: 0,
        // The addresses of a connection do not change: built once, not per request, by join(),
        // which makes one flat string (concatenated, every log line would read it through a tree).
        downstreamLocal: [socket.localAddress ?? '', socket.localPort ?? ''].join(':'),
        downstreamRemote: [this.clientAddress, socket.remotePort ?? ''].join(':'),
        responseHeader: (lname) => this.responseHead?.fields.get(lname),
      };
    }
    view.method = req.method;
    view.path = req.path;
    view.minor = req.minor;
    view.requestId = req.requestId;
    view.status = this.responseStatus;
    // A tunnel's relayed bytes are only in the socket's counts (read once, when it closes).
    const tunnel = this.tunnel !== null;
    view.bytesRead = (tunnel ? socket.bytesRead : this.bytesIn) - this.input.length;
    view.bytesWritten = tunnel ? (socket.bytesWritten ?? this.bytesOut) : this.bytesOut;
    return view;
  }

  private finishExchange(): void {
    this.idleSince = Date.now();
    this.resState = X_IDLE;
    this.reqState = RS_HEAD;
    this.unpause(P_UPSTREAM | P_PIPELINE);
    if (this.responseClose || ((this.draining || this.readEnded) && this.input.length === 0)) {
      this.closeGracefully();
      return;
    }
    this.armHeadTimer(this.ctx.limits.keepAliveTimeoutMs);
    this.headStarted = false;
    this.processInput();
  }

  // ── errors and closing ────────────────────────────────────────────────────────────────────

  /** A request head we will not process: answer with the status the error calls for, then close. */
  private reject(err: ParseErrorCode): false {
    const status = parseErrorStatus(err);
    const text = parseErrorText(err);
    this.ctx.logger.debug({ client: this.clientAddress, status, reason: text }, 'rejected request');
    this.input.clear();
    this.send(buildLocalResponse(status, text + '\n', 'close', undefined, false));
    this.closeGracefully();
    return false;
  }

  /** The request body broke its framing: 400 if nothing of the response was sent, else just close. */
  private rejectBody(err: ParseErrorCode): void {
    this.ctx.logger.debug({ client: this.clientAddress, reason: parseErrorText(err) }, 'rejected request body');
    this.input.clear();
    if (this.stream.abort()) {
      this.destroy();
      return;
    }
    this.send(buildLocalResponse(parseErrorStatus(err), parseErrorText(err) + '\n', 'close', undefined, false));
    this.closeGracefully();
  }

  /** End our side, keep discarding input for a while so that the peer reads our last response, then destroy. */
  closeGracefully(): void {
    if (this.closing || this.closed) return;
    this.closing = true;
    this.input.clear();
    if (this.drainTimer !== undefined) clearTimeout(this.drainTimer);
    if (this.pauseMask !== 0) {
      this.pauseMask = 0;
      this.socket.resume();
    }
    // Until our writes are flushed, bound the wait by the header timeout (a client that never reads);
    // after, linger briefly for the peer's FIN.
    this.armHeadTimer(this.ctx.limits.headerTimeoutMs);
    this.socket.end(() => this.armHeadTimer(this.ctx.limits.lingerMs));
  }

  destroy(): void {
    if (this.closed) return;
    this.closing = true;
    this.socket.destroy();
  }

  drain(spreadMs: number): void {
    if (this.draining || this.closing) return;
    this.draining = true;
    if (!this.isIdle()) return; // the next response says Connection: close
    // Idle keep-alive connections close spread over a short window: closing thousands at the
    // same instant makes their clients reconnect (and race) at the same instant. And only once
    // idle for a while: a busy client sends its next request within microseconds and gets
    // `Connection: close` on its response instead, so it never meets a close mid-request (the
    // HTTP/1.1 idle-close race remains only for a client that was silent for MIN_IDLE_BEFORE_CLOSE_MS).
    const idleFor = Date.now() - this.idleSince;
    const delay = Math.max(Math.floor(Math.random() * spreadMs), MIN_IDLE_BEFORE_CLOSE_MS - idleFor);
    if (delay <= 0) return this.closeGracefully();
    this.drainTimer = setTimeout(() => {
      this.drainTimer = undefined;
      if (this.isIdle()) this.closeGracefully();
    }, delay);
  }

  private isIdle(): boolean {
    return this.reqState === RS_HEAD && this.resState === X_IDLE && this.input.length === 0 && !this.closing;
  }

  private onHeadTimer(): void {
    if (this.closed) return;
    if (this.closing) return this.destroy(); // linger over, or a client that never read our last response
    if (this.reqState !== RS_HEAD || this.resState !== X_IDLE) return; // a request is in progress: not ours
    if (this.headStarted || this.requestCount === 0) {
      this.ctx.logger.debug({ client: this.clientAddress }, 'request header timeout');
      this.input.clear();
      this.send(buildLocalResponse(408, 'request header timeout\n', 'close', undefined, false));
      this.closeGracefully();
    } else {
      this.closeGracefully(); // idle keep-alive connection: close silently
    }
  }

  private armHeadTimer(ms: number): void {
    if (ms === this.headTimerMs) {
      this.headTimer.refresh();
      return;
    }
    clearTimeout(this.headTimer);
    this.headTimerMs = ms;
    this.headTimer = setTimeout(() => this.onHeadTimer(), ms);
    this.headTimer.unref();
  }

  private onError(err: Error): void {
    this.ctx.logger.debug({ client: this.clientAddress, err: (err as NodeJS.ErrnoException).code ?? err.message }, 'client connection error');
  }

  private onClose(): void {
    this.closed = true;
    this.closing = true;
    if (this.tunnel !== null) this.tunnel.destroy();
    clearTimeout(this.headTimer);
    if (this.drainTimer !== undefined) clearTimeout(this.drainTimer);
    // An exchange that ends without its response (client gone, upstream reset after the head, a
    // timeout after the head) is logged too: operators need exactly those lines.
    if (this.notes !== null && this.resState === X_ACTIVE) {
      this.flag('DC');
      this.ctx.accessLog?.record(this.exchangeView(), performance.now());
    }
    this.stream.abort();
    this.input.clear();
    this.ctx.stats.connectionsActive--;
    if (this.ctx.listenerMetrics !== undefined) {
      this.ctx.listenerMetrics.connectionsActive.value--;
      this.countBytes(this.ctx.listenerMetrics.http, this.socket.bytesRead, this.socket.bytesWritten ?? this.bytesOut);
    }
    this.tracker.remove(this);
  }

  // ── tunnel (after a 101 Switching Protocols) ─────────────────────────────────────────────

  /**
   * Writes the 101 head, then relays bytes both ways between the client and `upstream` until
   * either side closes. An end (FIN) is passed on as an end, so each side sees the other close
   * cleanly; a reset or error on either side destroys both. `idleMs` > 0 closes a silent tunnel.
   */
  startTunnel(head: string, upstream: net.Socket, rest: Buffer, idleMs: number): void {
    const down = this.socket;
    this.tunnel = upstream;
    this.ctx.stats.tunnelsTotal++;
    clearTimeout(this.headTimer);
    // HTTP is over on this connection: the relay takes the socket's events.
    down.removeAllListeners('data');
    down.removeAllListeners('end');
    down.removeAllListeners('drain');
    this.pauseMask = 0;
    this.sendText(head);
    if (rest.length > 0) this.send(rest);
    // Bytes the client sent right after its handshake already belong to the new protocol.
    if (this.input.length > 0) {
      upstream.write(Buffer.from(this.input.buf.subarray(this.input.start, this.input.end)));
      this.input.clear();
    }
    upstream.setNoDelay(true);
    down.pipe(upstream);
    upstream.pipe(down);
    upstream.on('error', (err: Error) => {
      this.ctx.logger.debug({ client: this.clientAddress, err: (err as NodeJS.ErrnoException).code ?? err.message }, 'tunnel upstream error');
      down.destroy();
    });
    upstream.on('close', () => {
      if (!down.writableEnded) down.destroy();
    });
    if (idleMs > 0) {
      down.setTimeout(idleMs, () => {
        this.ctx.logger.debug({ client: this.clientAddress, idleMs }, 'tunnel idle timeout');
        down.destroy();
      });
    }
    down.resume();
    upstream.resume();
  }

  // ── flow control ──────────────────────────────────────────────────────────────────────────

  pauseForUpstream(): void {
    if (this.reqState === RS_BODY) this.pause(P_UPSTREAM);
  }

  resumeFromUpstream(): void {
    this.unpause(P_UPSTREAM);
  }

  private pause(reason: number): void {
    if (this.closing) return;
    if (this.pauseMask === 0) this.socket.pause();
    this.pauseMask |= reason;
  }

  private unpause(reason: number): void {
    if (this.pauseMask === 0) return;
    this.pauseMask &= ~reason;
    if (this.pauseMask === 0) this.socket.resume();
  }
}
