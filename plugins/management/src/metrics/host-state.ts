// The supervisor's state as the host's metrics report carries it (declared in @mosn/ipc-protocol;
// reached here through the SDK's MetricsReport, the only package a plugin depends on).
import type { MetricsReport } from '@mosn/plugin-sdk';

export type HostState = NonNullable<MetricsReport['state']>;
export type WorkerStatus = HostState['workers'][number];
export type PluginStatus = HostState['plugins'][number];
