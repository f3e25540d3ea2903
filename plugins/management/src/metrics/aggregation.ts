/**
 * Sums what counts (see report-store.ts) with prom-client's own `AggregatorRegistry.aggregate`:
 * each metric is combined by its `aggregator` field (`sum` for the proxy's counters, histograms
 * and gauges such as active connections; `max`, `min`, `first`, `average`, `omit` are honoured
 * when a sender asks for them). The result is cached until the next report arrives, so that any
 * number of scrapes between two reports cost one aggregation (and at most one per interval, as
 * reports age out while the supervisor has not reported yet).
 */
import { AggregatorRegistry } from 'prom-client';
import type { Registry } from 'prom-client';
import type { MetricJson } from './metric-json.js';
import type { ReportStore } from './report-store.js';

export interface Snapshot {
  /** The aggregated registry: `metrics()` is the Prometheus exposition. */
  readonly registry: Registry;
  /** The same figures as prom-client's JSON (for /api/v1/stats and /clusters). */
  readonly metrics: readonly MetricJson[];
  /** Metrics left out because their senders disagree on their type or aggregator. */
  readonly problems: readonly string[];
}

/** Aggregates metric sets whose families agree; a family sent with another type or aggregator by some sender keeps the first sender's. */
export async function aggregate(sets: readonly (readonly MetricJson[])[]): Promise<Snapshot> {
  const first = new Map<string, MetricJson>();
  const problems: string[] = [];
  const consistent = sets.map((set) =>
    set.filter((metric) => {
      const seen = first.get(metric.name);
      if (seen === undefined) {
        first.set(metric.name, metric);
        return true;
      }
      if (seen.type === metric.type && seen.aggregator === metric.aggregator) return true;
      problems.push(`${metric.name}: expected every sender to declare it ${seen.type}/${seen.aggregator}, found ${metric.type}/${metric.aggregator} (left out)`);
      return false;
    }),
  );
  const registry: Registry = AggregatorRegistry.aggregate(consistent);
  const metrics = (await registry.getMetricsAsJSON()) as unknown as MetricJson[];
  return { registry, metrics, problems };
}

/** The aggregation of a store, recomputed only when the store changed. */
export class MetricsView {
  readonly #store: ReportStore;
  readonly #onProblem: (problem: string) => void;
  #cached: { version: number; at: number; snapshot: Promise<Snapshot> } | undefined;

  /** `onProblem`: told of each metric left out of a new aggregation (senders that disagree). */
  constructor(store: ReportStore, onProblem: (problem: string) => void = () => {}) {
    this.#store = store;
    this.#onProblem = onProblem;
  }

  snapshot(): Promise<Snapshot> {
    const version = this.#store.version;
    const now = this.#store.now();
    let cached = this.#cached;
    if (cached === undefined || cached.version !== version || now - cached.at >= this.#store.intervalMs) {
      const snapshot = aggregate(this.#store.countedSets());
      cached = { version, at: now, snapshot };
      this.#cached = cached;
      snapshot.then(
        (s) => s.problems.forEach(this.#onProblem),
        () => {
          if (this.#cached?.snapshot === snapshot) this.#cached = undefined;
        },
      );
    }
    return cached.snapshot;
  }
}
