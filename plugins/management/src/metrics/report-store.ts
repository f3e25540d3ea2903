/**
 * The latest metrics report of every worker (by pid) and of the supervisor, and which of them
 * count. Reports are cumulative since their sender started, so keeping the latest one is enough,
 * and a restarted plugin rebuilds the same totals from the next round of reports.
 *
 *   worker reports ──► latest per pid ─┐ counted: pids the supervisor lists as not exited
 *   host report ──► latest ────────────┼─ (no host report yet: reports younger than 3 intervals)
 *        ├─ retired (exited workers' final figures, summed by the supervisor)
 *        └─ its own metrics
 *
 * A worker that exits leaves the supervisor's list in the very report whose `retired` takes its
 * final figures, so it is counted once: live, then retired. Counters never go back for a scraper.
 */
import type { MetricsReport } from '@mosn/plugin-sdk';
import type { HostState } from './host-state.js';
import { checkMetrics } from './metric-json.js';
import type { MetricJson } from './metric-json.js';

export interface WorkerEntry {
  readonly report: MetricsReport;
  readonly metrics: readonly MetricJson[];
  /** Our clock, when the report arrived. */
  readonly receivedAt: number;
}

export interface HostEntry {
  readonly report: MetricsReport;
  readonly state: HostState;
  readonly metrics: readonly MetricJson[];
  /** Counters, histograms and summaries of exited workers (their gauges are not current values of anything). */
  readonly retired: readonly MetricJson[];
  readonly receivedAt: number;
}

export interface AcceptResult {
  /** false: the report was left out entirely (malformed, or older than the one kept). */
  readonly accepted: boolean;
  readonly problems: readonly string[];
}

export interface ReportStoreOptions {
  /** The senders' flush interval in milliseconds. */
  readonly intervalMs: number;
  readonly now?: () => number;
}

export class ReportStore {
  readonly #workers = new Map<number, WorkerEntry>();
  #host: HostEntry | undefined;
  #staleMs: number;
  readonly #now: () => number;
  #version = 0;
  /** The plugin's `interval` until the supervisor says its own flush interval in a report. */
  intervalMs: number;

  constructor(options: ReportStoreOptions) {
    this.intervalMs = options.intervalMs;
    this.#staleMs = 3 * options.intervalMs;
    this.#now = options.now ?? Date.now;
  }

  now(): number {
    return this.#now();
  }

  /** Changes whenever what is counted may have changed (a cache key). */
  get version(): number {
    return this.#version;
  }

  get host(): HostEntry | undefined {
    return this.#host;
  }

  /** A report is stale after 3 flush intervals without a newer one. */
  isStale(receivedAt: number): boolean {
    return this.#now() - receivedAt >= this.#staleMs;
  }

  accept(input: unknown): AcceptResult {
    const shape = checkReport(input);
    if (shape !== undefined) return { accepted: false, problems: [shape] };
    const report = input as MetricsReport;
    const where = `${report.source} pid ${report.pid}`;
    const receivedAt = this.#now();
    if (report.source === 'host') {
      const previous = this.#host?.report;
      if (previous !== undefined && previous.pid === report.pid && report.seq <= previous.seq) {
        return { accepted: false, problems: [`${where}: expected seq above ${previous.seq}, found ${report.seq} (an older report; ignored)`] };
      }
      const metrics = checkMetrics(report.metrics, `${where} metrics`);
      const retired = checkMetrics(report.retired ?? [], `${where} retired`);
      this.#host = { report, state: report.state as HostState, metrics: metrics.metrics, retired: retired.metrics.filter((m) => m.type !== 'gauge'), receivedAt };
      // The proxy's metrics.flush_interval wins over the plugin's own `interval` setting.
      if (typeof report.intervalMs === 'number' && report.intervalMs > 0 && report.intervalMs !== this.intervalMs) {
        this.intervalMs = report.intervalMs;
        this.#staleMs = 3 * report.intervalMs;
      }
      this.#prune();
      this.#version++;
      return { accepted: true, problems: [...metrics.problems, ...retired.problems] };
    }
    const previous = this.#workers.get(report.pid)?.report;
    if (previous !== undefined && previous.generation === report.generation && report.seq <= previous.seq) {
      return { accepted: false, problems: [`${where}: expected seq above ${previous.seq}, found ${report.seq} (an older report; ignored)`] };
    }
    const metrics = checkMetrics(report.metrics, `${where} metrics`);
    this.#workers.set(report.pid, { report, metrics: metrics.metrics, receivedAt });
    this.#version++;
    return { accepted: true, problems: metrics.problems };
  }

  /** The worker reports that count now, in pid order. */
  liveWorkers(): WorkerEntry[] {
    const host = this.#host;
    let live: WorkerEntry[];
    if (host === undefined) {
      live = [...this.#workers.values()].filter((w) => !this.isStale(w.receivedAt));
    } else {
      const listed = listedLive(host.state);
      live = [...this.#workers.values()].filter((w) => listed.has(w.report.pid));
    }
    return live.sort((a, b) => a.report.pid - b.report.pid);
  }

  /** Every metric set that counts: live workers, retired workers, the supervisor. */
  countedSets(): MetricJson[][] {
    const sets = this.liveWorkers().map((w) => [...w.metrics]);
    const host = this.#host;
    if (host !== undefined) sets.push([...host.retired], [...host.metrics]);
    return sets;
  }

  // Forget workers the supervisor says exited (their figures are in `retired` now), and unlisted
  // ones that stopped reporting; keep unlisted fresh ones (started after the supervisor's report).
  #prune(): void {
    const host = this.#host;
    if (host === undefined) return;
    const listed = listedLive(host.state);
    const known = new Set(host.state.workers.map((w) => w.pid));
    for (const [pid, entry] of this.#workers) {
      if (listed.has(pid)) continue;
      if (known.has(pid) || this.isStale(entry.receivedAt)) this.#workers.delete(pid);
    }
  }
}

function listedLive(state: HostState): Set<number> {
  return new Set(state.workers.filter((w) => w.state !== 'exited').map((w) => w.pid));
}

/** undefined when `input` has the shape of a report (metrics are checked one by one later). */
function checkReport(input: unknown): string | undefined {
  if (!isRecord(input)) return 'expected a metrics report object, found something else';
  if (input.source !== 'worker' && input.source !== 'host') return `expected source "worker" or "host", found ${JSON.stringify(input.source) ?? 'nothing'}`;
  for (const field of ['workerId', 'pid', 'generation', 'seq', 'at'] as const) {
    if (typeof input[field] !== 'number' || !Number.isFinite(input[field])) return `${input.source} report: expected a number in ${field}, found ${JSON.stringify(input[field]) ?? 'nothing'}`;
  }
  if (input.source === 'worker') return undefined;
  const state = input.state;
  if (!isRecord(state)) return `host report pid ${String(input.pid)}: expected state (the supervisor, its workers, listeners and plugins), found none`;
  if (!isRecord(state.supervisor)) return `host report pid ${String(input.pid)}: expected state.supervisor to be an object`;
  for (const list of ['workers', 'listeners', 'plugins'] as const) {
    if (!Array.isArray(state[list])) return `host report pid ${String(input.pid)}: expected state.${list} to be an array`;
  }
  const workers = state.workers as unknown[];
  const bad = workers.findIndex((w) => !isRecord(w) || typeof w.pid !== 'number' || typeof w.state !== 'string' || typeof w.generation !== 'number');
  if (bad !== -1) return `host report pid ${String(input.pid)}: expected state.workers[${bad}] to have a numeric pid and generation and a state`;
  if (typeof state.ready !== 'boolean') return `host report pid ${String(input.pid)}: expected state.ready to be true or false`;
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
