// Active health checks (MOSN's cluster `health_check`): each host is checked on its own timer,
// either by a TCP connect or by an HTTP/1.1 GET whose status must be one of the expected ones.
// `unhealthy_threshold` failures in a row take a healthy host out of the balancer's choices;
// `healthy_threshold` passes in a row bring it back. Hosts start healthy (MOSN's rule: a new
// worker sends traffic at once), and the first check runs at start.
//
// Checks run in every worker (no IPC, and a worker that dies takes its checks with it): N workers
// make N checks per host per interval, and each worker's view may lag another's by an interval.
//
//   timer ──► connect ──(TCP: connected)──────────────────────► pass ─┐
//                 │    ──(HTTP: status line, expected code)───► pass ─┤
//                 └── error / timeout / close / garbage / other code ─► fail ─┴─► next timer (interval + jitter)
//
// A check never throws: whatever the host does (refuses, hangs, answers garbage, closes
// mid-line), the outcome is a failure and the next check is scheduled.

import net from 'node:net';
import tls from 'node:tls';
import type { HealthCheckConfig, HostConfig } from '@mosn/config';
import type { Logger } from 'pino';
import { describeSystemError } from '../errors.js';

/** What the checker changes in its cluster. */
export interface HealthTarget {
  readonly hosts: readonly HostConfig[];
  setHealthy(index: number, healthy: boolean): void;
}

/** The status line has to arrive within this many bytes. */
const MAX_STATUS_LINE = 1024;

interface HostCheck {
  healthy: boolean;
  passes: number;
  failures: number;
  timer: NodeJS.Timeout | undefined;
  timeout: NodeJS.Timeout | undefined;
  socket: net.Socket | undefined;
  /** Identifies the check in progress; outcomes of an earlier one are dropped. */
  seq: number;
}

export class HealthChecker {
  private readonly checks: HostCheck[];
  private readonly requestHead: (host: HostConfig) => string;
  private closed = false;
  /** Checks completed since start (for tests and stats). */
  checksTotal = 0;

  constructor(
    private readonly target: HealthTarget,
    private readonly config: HealthCheckConfig,
    private readonly logger: Logger,
    /** The cluster's TLS client options, per host: checks speak TLS to a TLS upstream. */
    private readonly tlsFor?: (host: HostConfig) => tls.ConnectionOptions,
  ) {
    this.checks = target.hosts.map(() => ({ healthy: true, passes: 0, failures: 0, timer: undefined, timeout: undefined, socket: undefined, seq: 0 }));
    const path = config.http_check_config?.path ?? '/';
    this.requestHead = (host) =>
      'GET ' + path + ' HTTP/1.1\r\nHost: ' + hostHeader(host) + '\r\nUser-Agent: mosn-ts-health-check\r\nConnection: close\r\n\r\n';
  }

  start(): void {
    for (let i = 0; i < this.checks.length; i++) this.schedule(i, this.jitter());
  }

  isHealthy(index: number): boolean {
    return this.checks[index]?.healthy ?? false;
  }

  close(): void {
    this.closed = true;
    for (const c of this.checks) {
      if (c.timer !== undefined) clearTimeout(c.timer);
      if (c.timeout !== undefined) clearTimeout(c.timeout);
      c.socket?.destroy();
      c.timer = c.timeout = c.socket = undefined;
    }
  }

  private jitter(): number {
    const j = this.config.interval_jitter;
    return j > 0 ? Math.floor(Math.random() * j) : 0;
  }

  private schedule(index: number, delayMs: number): void {
    const c = this.checks[index];
    if (c === undefined || this.closed) return;
    c.timer = setTimeout(() => this.run(index), delayMs);
    c.timer.unref();
  }

  private run(index: number): void {
    const c = this.checks[index];
    const host = this.target.hosts[index];
    if (c === undefined || host === undefined || this.closed) return;
    c.timer = undefined;
    const seq = ++c.seq;
    const done = (ok: boolean, reason: string): void => {
      if (c.seq !== seq || this.closed) return;
      c.seq++;
      this.finish(index, c, ok, reason);
    };
    try {
      const http = this.config.http_check_config;
      const port = http?.port ?? host.port;
      const tlsOptions = this.tlsFor?.(host);
      const socket =
        tlsOptions === undefined ? net.connect({ host: host.host, port, noDelay: true }) : tls.connect({ ...tlsOptions, host: host.host, port });
      const connected = tlsOptions === undefined ? 'connect' : 'secureConnect';
      c.socket = socket;
      c.timeout = setTimeout(() => done(false, 'no answer within ' + this.config.timeout + ' ms'), this.config.timeout);
      c.timeout.unref();
      socket.on('error', (err) => done(false, describeSystemError(err)));
      socket.on('close', () => done(false, 'connection closed before a status line'));
      if (this.config.protocol !== 'Http1' || http === undefined) {
        socket.on(connected, () => done(true, 'connected'));
        return;
      }
      const expected = http.expected_statuses;
      let received = '';
      socket.on(connected, () => socket.write(this.requestHead(host), 'latin1'));
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('latin1', 0, Math.min(chunk.length, MAX_STATUS_LINE));
        const eol = received.indexOf('\r\n');
        if (eol === -1) {
          if (received.length >= MAX_STATUS_LINE) done(false, 'no status line in the first ' + MAX_STATUS_LINE + ' bytes');
          return;
        }
        const status = parseStatusLine(received.slice(0, eol));
        if (status === undefined) return done(false, 'not an HTTP/1.x status line');
        done(expected.includes(status), 'status ' + status);
      });
    } catch (err) {
      done(false, describeSystemError(err));
    }
  }

  private finish(index: number, c: HostCheck, ok: boolean, reason: string): void {
    if (c.timeout !== undefined) clearTimeout(c.timeout);
    c.timeout = undefined;
    c.socket?.destroy();
    c.socket = undefined;
    this.checksTotal++;
    const host = this.target.hosts[index];
    if (ok) {
      c.failures = 0;
      if (!c.healthy && ++c.passes >= this.config.healthy_threshold) {
        c.healthy = true;
        c.passes = 0;
        this.logger.info({ host: host?.address, reason }, 'health check: host healthy again');
        this.target.setHealthy(index, true);
      }
    } else {
      c.passes = 0;
      if (c.healthy && ++c.failures >= this.config.unhealthy_threshold) {
        c.healthy = false;
        c.failures = 0;
        this.logger.warn({ host: host?.address, reason }, 'health check: host unhealthy');
        this.target.setHealthy(index, false);
      } else {
        this.logger.debug({ host: host?.address, reason }, 'health check failed');
      }
    }
    this.schedule(index, this.config.interval + this.jitter());
  }
}

/** The status code of an HTTP/1.x status line, or undefined. */
export function parseStatusLine(line: string): number | undefined {
  const m = /^HTTP\/1\.[01] ([1-5]\d\d)(?: |$)/.exec(line);
  return m === null ? undefined : Number(m[1]);
}

function hostHeader(host: HostConfig): string {
  return host.host.includes(':') ? '[' + host.host + ']:' + host.port : host.host + ':' + host.port;
}
