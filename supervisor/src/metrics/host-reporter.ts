// The supervisor's side of metrics: its own figures (generation, reloads, restarts) in a private
// prom-client registry, the summed final figures of workers that exited (so totals never go back
// when a worker is replaced or a reload drains a generation), and the state the admin API shows —
// sent every flush interval to the plugins that serve `metrics`.
import { AggregatorRegistry, Counter, Gauge, Registry } from 'prom-client';
import type { HostState, MetricJson, MetricsReport } from '@mosn/ipc-protocol';

export interface HostFigures {
  generation: number;
  reloads: { ok: number; failed: number };
  workerRestarts: number;
  pluginRestarts: readonly { name: string; restarts: number }[];
}

export class HostReporter {
  readonly #registry = new Registry();
  readonly #generation = new Gauge({ name: 'mosn_supervisor_generation', help: 'The generation of workers serving now.', registers: [this.#registry] });
  readonly #reloads = new Counter({ name: 'mosn_supervisor_reloads_total', help: 'Reloads, by result.', labelNames: ['result'], registers: [this.#registry] });
  readonly #workerRestarts = new Counter({ name: 'mosn_supervisor_worker_restarts_total', help: 'Workers replaced after an unexpected exit.', registers: [this.#registry] });
  readonly #pluginRestarts = new Counter({ name: 'mosn_supervisor_plugin_restarts_total', help: 'Plugin restarts, by plugin.', labelNames: ['plugin'], registers: [this.#registry] });
  #retired: MetricJson[] = [];
  #retiring: Promise<void> = Promise.resolve();
  /** Restart counts come from things that go away (a drained generation, a replaced plugin): kept monotonic here. */
  readonly #monotonic = new Map<string, { base: number; last: number }>();
  #seq = 0;

  /** Adds an exited worker's final figures to the retired totals (one at a time, in order). */
  retire(metrics: readonly MetricJson[] | undefined): Promise<void> {
    if (metrics === undefined || metrics.length === 0) return this.#retiring;
    this.#retiring = this.#retiring.then(async () => {
      const merged = AggregatorRegistry.aggregate([this.#retired, metrics] as never);
      this.#retired = (await merged.getMetricsAsJSON()) as unknown as MetricJson[];
    });
    return this.#retiring;
  }

  /** `raw` from a source that may drop (its holder went away): what dropped is kept as a base. */
  #ever(key: string, raw: number): number {
    const seen = this.#monotonic.get(key) ?? { base: 0, last: 0 };
    if (raw < seen.last) seen.base += seen.last - raw;
    seen.last = raw;
    this.#monotonic.set(key, seen);
    return seen.base + raw;
  }

  async report(figures: HostFigures, state: HostState, intervalMs?: number): Promise<MetricsReport> {
    this.#generation.set(figures.generation);
    // Counters have no set(): rebuilt from the supervisor's own totals at each report.
    this.#reloads.reset();
    this.#reloads.inc({ result: 'ok' }, figures.reloads.ok);
    this.#reloads.inc({ result: 'failed' }, figures.reloads.failed);
    this.#workerRestarts.reset();
    this.#workerRestarts.inc(this.#ever('workers', figures.workerRestarts));
    this.#pluginRestarts.reset();
    for (const p of figures.pluginRestarts) this.#pluginRestarts.inc({ plugin: p.name }, this.#ever(`plugin:${p.name}`, p.restarts));
    return {
      source: 'host',
      workerId: 0,
      pid: process.pid,
      generation: figures.generation,
      seq: ++this.#seq,
      at: Date.now(),
      ...(intervalMs === undefined ? {} : { intervalMs }),
      metrics: (await this.#registry.getMetricsAsJSON()) as unknown as MetricJson[],
      retired: this.#retired,
      state,
    };
  }
}
