// Metric families registered in a worker's own prom-client Registry. Recording is a plain field
// update on a child the hot path holds (`child.value++`): no label hashing per request, which
// prom-client's own label API costs. prom-client reads the children when a report or a scrape
// asks (registry.getMetricsAsJSON(), registry.metrics()), through the `get()` it calls on every
// registered metric.

type Labels = Readonly<Record<string, string>>;

export interface MetricValue {
  value: number;
  labels: Labels;
  metricName?: string;
}

export interface MetricItem {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  aggregator: 'sum';
  values: MetricValue[];
}

/** The shape prom-client's Registry.registerMetric and its collection need. */
export interface RegistrableMetric {
  readonly name: string;
  get(): Promise<MetricItem>;
  reset(): void;
}

export interface ValueChild {
  value: number;
}

/** A counter or gauge family: children by label values, plus values read at collection time. */
export class ValueFamily implements RegistrableMetric {
  readonly #children = new Map<string, { labels: Labels; child: ValueChild }>();
  readonly #collectors: ((add: (labels: Labels, value: number) => void) => void)[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge',
  ) {}

  /** The child for these labels (created once; hold it and bump `.value`). */
  child(labels: Labels): ValueChild {
    const key = JSON.stringify(labels);
    let entry = this.#children.get(key);
    if (entry === undefined) {
      entry = { labels, child: { value: 0 } };
      this.#children.set(key, entry);
    }
    return entry.child;
  }

  /** Values that live elsewhere (pools, filters, batchers), read when the metric is collected. */
  collect(collector: (add: (labels: Labels, value: number) => void) => void): void {
    this.#collectors.push(collector);
  }

  async get(): Promise<MetricItem> {
    const values: MetricValue[] = [];
    for (const { labels, child } of this.#children.values()) values.push({ value: child.value, labels });
    for (const collector of this.#collectors) collector((labels, value) => values.push({ value, labels }));
    return { name: this.name, help: this.help, type: this.type, aggregator: 'sum', values };
  }

  reset(): void {
    for (const { child } of this.#children.values()) child.value = 0;
  }
}

export class HistogramChild {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= (bounds[i] as number)) {
        this.counts[i] = (this.counts[i] as number) + 1;
        break;
      }
    }
    this.sum += value;
    this.count += 1;
  }
}

/** A histogram family with fixed upper bounds (seconds), exported as _bucket / _sum / _count. */
export class HistogramFamily implements RegistrableMetric {
  readonly type = 'histogram';
  readonly #children = new Map<string, { labels: Labels; child: HistogramChild }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly bounds: readonly number[],
  ) {}

  child(labels: Labels): HistogramChild {
    const key = JSON.stringify(labels);
    let entry = this.#children.get(key);
    if (entry === undefined) {
      entry = { labels, child: new HistogramChild(this.bounds) };
      this.#children.set(key, entry);
    }
    return entry.child;
  }

  async get(): Promise<MetricItem> {
    const values: MetricValue[] = [];
    for (const { labels, child } of this.#children.values()) {
      let cumulative = 0;
      this.bounds.forEach((bound, i) => {
        cumulative += child.counts[i] as number;
        values.push({ value: cumulative, labels: { ...labels, le: String(bound) }, metricName: `${this.name}_bucket` });
      });
      values.push({ value: child.count, labels: { ...labels, le: '+Inf' }, metricName: `${this.name}_bucket` });
      values.push({ value: child.sum, labels, metricName: `${this.name}_sum` });
      values.push({ value: child.count, labels, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: 'histogram', aggregator: 'sum', values };
  }

  reset(): void {
    for (const { child } of this.#children.values()) {
      child.counts.fill(0);
      child.sum = 0;
      child.count = 0;
    }
  }
}

/** Latency buckets in seconds: 0.5 ms … 10 s. */
export const LATENCY_BUCKETS = Object.freeze([0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
