/**
 * Checks the `metrics` of a report before they reach prom-client: reports come from our own
 * processes, but a malformed one must cost its sender's figures, never the scrape (prom-client's
 * aggregate throws on an unknown aggregator, and prints names and label names as they are).
 */
import type { MetricJson } from '@mosn/plugin-sdk';

export type { MetricJson };
export type MetricValueJson = MetricJson['values'][number];

/** prom-client's aggregators (metricAggregators.js); `aggregate` throws on any other name. */
export const AGGREGATORS: ReadonlySet<string> = new Set(['sum', 'first', 'min', 'max', 'average', 'omit']);
const TYPES: ReadonlySet<string> = new Set(['counter', 'gauge', 'histogram', 'summary']);
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export interface CheckedMetrics {
  readonly metrics: MetricJson[];
  /** What was left out and why, for the log. */
  readonly problems: string[];
}

/** Keeps the well-formed metrics of `input` (a `getMetricsAsJSON()` array) and says what it dropped. */
export function checkMetrics(input: unknown, where: string): CheckedMetrics {
  const problems: string[] = [];
  if (!Array.isArray(input)) return { metrics: [], problems: [`${where}: expected an array of metrics, found ${describe(input)}`] };
  const metrics: MetricJson[] = [];
  const seen = new Set<string>();
  input.forEach((raw: unknown, index) => {
    const at = `${where}[${index}]`;
    const problem = checkMetric(raw);
    if (problem !== undefined) {
      problems.push(`${at}: ${problem}`);
      return;
    }
    const metric = raw as MetricJson;
    if (seen.has(metric.name)) {
      problems.push(`${at}: expected each metric name once, found ${metric.name} again`);
      return;
    }
    seen.add(metric.name);
    const values: MetricValueJson[] = [];
    metric.values.forEach((value: unknown, i) => {
      const bad = checkValue(value);
      if (bad === undefined) values.push(value as MetricValueJson);
      else problems.push(`${at} (${metric.name}).values[${i}]: ${bad}`);
    });
    metrics.push({ name: metric.name, help: typeof metric.help === 'string' ? metric.help : '', type: metric.type, aggregator: metric.aggregator, values });
  });
  return { metrics, problems };
}

function checkMetric(raw: unknown): string | undefined {
  if (!isRecord(raw)) return `expected a metric object, found ${describe(raw)}`;
  if (typeof raw.name !== 'string' || !METRIC_NAME.test(raw.name)) return `expected a Prometheus metric name, found ${describe(raw.name)}`;
  if (typeof raw.type !== 'string' || !TYPES.has(raw.type)) return `expected type counter, gauge, histogram or summary for ${raw.name}, found ${describe(raw.type)}`;
  if (typeof raw.aggregator !== 'string' || !AGGREGATORS.has(raw.aggregator)) {
    return `expected one of prom-client's aggregators (${[...AGGREGATORS].join(', ')}) for ${raw.name}, found ${describe(raw.aggregator)}`;
  }
  if (!Array.isArray(raw.values)) return `expected values to be an array for ${raw.name}, found ${describe(raw.values)}`;
  return undefined;
}

function checkValue(value: unknown): string | undefined {
  if (!isRecord(value)) return `expected {value, labels}, found ${describe(value)}`;
  if (typeof value.value !== 'number') return `expected a number, found ${describe(value.value)}`;
  if (value.metricName !== undefined && (typeof value.metricName !== 'string' || !METRIC_NAME.test(value.metricName))) {
    return `expected metricName to be a Prometheus metric name, found ${describe(value.metricName)}`;
  }
  if (value.labels === undefined) return 'expected labels (an object, {} for none), found none';
  if (!isRecord(value.labels)) return `expected labels to be an object, found ${describe(value.labels)}`;
  for (const [name, label] of Object.entries(value.labels)) {
    if (!LABEL_NAME.test(name) || name.startsWith('__')) return `expected a Prometheus label name, found ${JSON.stringify(name)}`;
    if (typeof label !== 'string' && typeof label !== 'number') return `expected label ${name} to be a string or a number, found ${describe(label)}`;
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
