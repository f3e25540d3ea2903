// Passive outlier detection (Envoy's `outlier_detection`; MOSN has none): a host whose last
// `consecutive_5xx` exchanges all failed (5xx responses, connect failures, resets) is ejected, i.e.
// gets no traffic, for base_ejection_time × the number of times it was ejected (capped at
// max_ejection_time). Every `interval` a host spends back in service takes one off that number.
// At most max_ejection_percent of the hosts are out at once (at least one, never all of them).
// Per worker: each worker judges the exchanges it sees.

import type { OutlierDetectionConfig } from '@mosn/config';
import type { Logger } from 'pino';

/** What the detector changes in its cluster. */
export interface EjectionTarget {
  readonly size: number;
  setEjected(index: number, ejected: boolean): void;
  hostName(index: number): string;
}

interface HostRecord {
  consecutive: number;
  ejections: number;
  ejected: boolean;
  /** When the host last came back (ms since epoch). */
  returnedAt: number;
  timer: NodeJS.Timeout | undefined;
}

export class OutlierDetector {
  private readonly hosts: HostRecord[];
  private readonly maxEjected: number;
  private ejectedCount = 0;
  private closed = false;
  /** Ejections since start (for stats and tests). */
  ejectionsTotal = 0;

  constructor(
    private readonly target: EjectionTarget,
    private readonly config: OutlierDetectionConfig,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.hosts = Array.from({ length: target.size }, () => ({ consecutive: 0, ejections: 0, ejected: false, returnedAt: 0, timer: undefined }));
    const n = target.size;
    const share = Math.floor((n * config.max_ejection_percent) / 100);
    this.maxEjected = n <= 1 ? 0 : Math.min(n - 1, Math.max(1, share));
  }

  /** How many hosts may be ejected at once. */
  get maxEjectedHosts(): number {
    return this.maxEjected;
  }

  isEjected(index: number): boolean {
    return this.hosts[index]?.ejected ?? false;
  }

  report(index: number, success: boolean): void {
    const host = this.hosts[index];
    if (host === undefined || this.closed) return;
    if (success) {
      host.consecutive = 0;
      return;
    }
    if (host.ejected) return;
    host.consecutive++;
    if (host.consecutive >= this.config.consecutive_5xx && this.ejectedCount < this.maxEjected) this.eject(index, host);
  }

  close(): void {
    this.closed = true;
    for (const host of this.hosts) {
      if (host.timer !== undefined) clearTimeout(host.timer);
      host.timer = undefined;
    }
  }

  private eject(index: number, host: HostRecord): void {
    const now = this.now();
    // Time healthy since the last ejection earns the host back its earlier ejections, one per interval.
    if (host.ejections > 0 && host.returnedAt > 0 && this.config.interval > 0) {
      host.ejections = Math.max(0, host.ejections - Math.floor((now - host.returnedAt) / this.config.interval));
    }
    host.ejections++;
    host.consecutive = 0;
    host.ejected = true;
    this.ejectedCount++;
    this.ejectionsTotal++;
    const ms = Math.min(this.config.base_ejection_time * host.ejections, this.config.max_ejection_time);
    this.logger.warn(
      { host: this.target.hostName(index), ejections: host.ejections, ejectedForMs: ms, consecutiveFailures: this.config.consecutive_5xx },
      'outlier detection: host ejected',
    );
    this.target.setEjected(index, true);
    host.timer = setTimeout(() => this.restore(index, host), ms);
    host.timer.unref();
  }

  private restore(index: number, host: HostRecord): void {
    host.timer = undefined;
    if (this.closed || !host.ejected) return;
    host.ejected = false;
    host.returnedAt = this.now();
    this.ejectedCount--;
    this.logger.info({ host: this.target.hostName(index) }, 'outlier detection: host back in service');
    this.target.setEjected(index, false);
  }
}
