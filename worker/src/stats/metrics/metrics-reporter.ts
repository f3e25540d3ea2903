// Every flush interval, the worker's registry goes to each plugin that serves `metrics` (the
// management plugin) as one notification: cumulative figures, so a plugin that restarts rebuilds
// its totals from the next report. Never awaited by forwarding; a plugin away misses a report.
import type { MetricsReport } from '@mosn/ipc-protocol';
import type { Logger } from 'pino';
import type { PluginClients } from '../../plugin/plugin-clients.js';
import type { MetricJson } from './metric-json.js';
import type { WorkerMetrics } from './worker-metrics.js';

export class MetricsReporter {
  #seq = 0;
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly metrics: WorkerMetrics,
    private readonly plugins: PluginClients,
    private readonly identity: { workerId: number; generation: number },
    intervalMs: number,
    private readonly logger: Logger,
    /** Gets each snapshot before the plugins do (the supervisor keeps it for when the worker is gone). */
    private readonly onSnapshot: ((metrics: MetricJson[]) => void) | undefined,
  ) {
    this.#timer = setInterval(() => void this.report().catch((err: unknown) => this.logger.warn({ err }, 'metrics report failed')), intervalMs);
    this.#timer.unref();
  }

  /** The registry as prom-client's JSON (also what the supervisor keeps of an exiting worker). */
  snapshot(): Promise<MetricJson[]> {
    return this.metrics.registry.getMetricsAsJSON() as unknown as Promise<MetricJson[]>;
  }

  async report(): Promise<void> {
    const metrics = await this.snapshot();
    // The same snapshot to the supervisor first: if this worker dies, what the supervisor adds to
    // the retired totals is exactly what the plugins last counted for it (never less).
    this.onSnapshot?.(metrics);
    const clients = this.plugins.all();
    if (clients.length === 0) return;
    const report: MetricsReport = {
      source: 'worker',
      workerId: this.identity.workerId,
      pid: process.pid,
      generation: this.identity.generation,
      seq: ++this.#seq,
      at: Date.now(),
      metrics,
    };
    for (const client of clients) client.sendMetrics(report);
  }

  close(): void {
    clearInterval(this.#timer);
  }
}
