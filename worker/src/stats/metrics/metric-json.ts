// prom-client's getMetricsAsJSON() shape, as the plugin protocol declares it.
export type { MetricJson } from '@mosn/ipc-protocol';
