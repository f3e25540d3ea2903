// cluster_manager.clusters[]: named groups of upstream hosts with their connection settings.

import { z } from 'zod';
import type {
  CircuitBreakersConfig,
  ClusterConfig,
  HealthCheckConfig,
  HostConfig,
  HttpCheckConfig,
  LbType,
  OutlierDetectionConfig,
} from '../types.js';
import { MOSN_UNSUPPORTED_VALUES } from '../mosn-keys.js';
import { address, describe, duration, isRecord, mosnObject, nonEmptyString, oneOf } from './common.js';
import { tlsContextSchema } from './tls.js';

/** Defaults, named so that README and tests say the same thing as the code. */
export const CLUSTER_DEFAULTS = Object.freeze({
  connect_timeout: 3_000,
  idle_timeout: 90_000,
  max_request_per_conn: 0,
  weight: 1,
});

/** Load balancers that use the request's hash key (a route's `hash_policy`). */
export const HASHING_LB_TYPES: readonly LbType[] = Object.freeze(['LB_MAGLEV']);

export const HEALTH_CHECK_DEFAULTS = Object.freeze({
  timeout: 1_000,
  interval: 10_000,
  interval_jitter: 0,
  healthy_threshold: 1,
  unhealthy_threshold: 1,
  expected_statuses: [200],
});

/** Envoy's defaults. */
export const OUTLIER_DEFAULTS = Object.freeze({
  consecutive_5xx: 5,
  base_ejection_time: 30_000,
  max_ejection_time: 300_000,
  max_ejection_percent: 10,
  interval: 10_000,
});

const LB_TYPES = ['LB_ROUNDROBIN', 'LB_WEIGHTED_ROUNDROBIN', 'LB_RANDOM', 'LB_LEAST_REQUEST', 'LB_MAGLEV'] as const satisfies readonly LbType[];

const count = (min: number) => z.number().int().min(min).max(4_294_967_295);

// MOSN's HTTP check session (check_config.http_check_config), plus the statuses that pass
// (MOSN accepts 200 only, which stays the default).
const httpCheckConfig = mosnObject('httpCheckConfig', {
  path: nonEmptyString.superRefine((p, ctx) => {
    if (!p.startsWith('/')) ctx.addIssue({ code: 'custom', message: `expected a path starting with "/", found ${describe(p)}` });
  }),
  port: z.number().int().min(1).max(65_535).optional(),
  timeout: duration().optional(),
  expected_statuses: z.array(z.number().int().min(100).max(599)).min(1).default([...HEALTH_CHECK_DEFAULTS.expected_statuses]),
});

const checkConfig = mosnObject('checkConfig', {
  http_check_config: httpCheckConfig.optional(),
});

const healthCheck = mosnObject('healthCheck', {
  protocol: oneOf('health check protocol', ['Http1'], MOSN_UNSUPPORTED_VALUES.protocol).optional(),
  timeout: duration().default(HEALTH_CHECK_DEFAULTS.timeout),
  interval: duration().default(HEALTH_CHECK_DEFAULTS.interval),
  interval_jitter: duration().default(HEALTH_CHECK_DEFAULTS.interval_jitter),
  healthy_threshold: count(1).default(HEALTH_CHECK_DEFAULTS.healthy_threshold),
  unhealthy_threshold: count(1).default(HEALTH_CHECK_DEFAULTS.unhealthy_threshold),
  service_name: z.string().optional(),
  check_config: checkConfig.optional(),
})
  .superRefine(
    (h, ctx) => {
      const http = isRecord(h.check_config) ? h.check_config['http_check_config'] : undefined;
      if (h.protocol === 'Http1' && http === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['protocol'],
          message: 'an "Http1" health check needs check_config.http_check_config with a "path", found none (MOSN would fall back to a TCP connect)',
        });
      }
      if (h.protocol === undefined && http !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['check_config', 'http_check_config'],
          message: 'http_check_config applies to protocol "Http1"; without "protocol" the check is a TCP connect',
        });
      }
      if (typeof h.interval === 'number' && h.interval < 1) {
        ctx.addIssue({ code: 'custom', path: ['interval'], message: 'expected an interval of at least 1ms, found 0' });
      }
      if (typeof h.timeout === 'number' && h.timeout < 1) {
        ctx.addIssue({ code: 'custom', path: ['timeout'], message: 'expected a timeout of at least 1ms, found 0' });
      }
    },
    { when: (payload) => isRecord(payload.value) },
  )
  .transform((h): HealthCheckConfig => {
    const http = h.check_config?.http_check_config;
    const httpConfig: HttpCheckConfig | undefined =
      http === undefined ? undefined : { path: http.path, port: http.port, expected_statuses: http.expected_statuses };
    return {
      protocol: h.protocol,
      timeout: http?.timeout ?? h.timeout,
      interval: h.interval,
      interval_jitter: h.interval_jitter,
      healthy_threshold: h.healthy_threshold,
      unhealthy_threshold: h.unhealthy_threshold,
      service_name: h.service_name,
      http_check_config: httpConfig,
    };
  });

// MOSN writes the thresholds as a list (one entry per priority in Envoy; MOSN has no priorities).
const thresholds = mosnObject('circuitBreaker', {
  max_connections: count(0).default(0),
  max_pending_requests: count(0).default(0),
  max_requests: count(0).default(0),
  max_retries: count(0).default(0),
}).transform(
  (t): CircuitBreakersConfig => ({
    max_connections: t.max_connections,
    max_pending_requests: t.max_pending_requests,
    max_requests: t.max_requests,
    max_retries: t.max_retries,
  }),
);

const circuitBreakers = z
  .array(thresholds)
  .superRefine(
    (list, ctx) => {
      if (list.length > 1) ctx.addIssue({ code: 'custom', path: [1], message: 'more than one set of circuit breaker thresholds (priorities) is not supported yet' });
    },
    { when: (payload) => Array.isArray(payload.value) },
  )
  .transform((list) => list[0]);

const outlierDetection = mosnObject('outlierDetection', {
  consecutive_5xx: count(1).default(OUTLIER_DEFAULTS.consecutive_5xx),
  base_ejection_time: duration().default(OUTLIER_DEFAULTS.base_ejection_time),
  max_ejection_time: duration().default(OUTLIER_DEFAULTS.max_ejection_time),
  max_ejection_percent: z.number().int().min(0).max(100).default(OUTLIER_DEFAULTS.max_ejection_percent),
  interval: duration().default(OUTLIER_DEFAULTS.interval),
}).transform(
  (o): OutlierDetectionConfig => ({
    consecutive_5xx: o.consecutive_5xx,
    base_ejection_time: o.base_ejection_time,
    max_ejection_time: Math.max(o.max_ejection_time, o.base_ejection_time),
    max_ejection_percent: o.max_ejection_percent,
    interval: o.interval,
  }),
);

// MOSN clamps weights into 1..128 without a word; out of range is an error here.
const host = mosnObject('host', {
  address: address({ allowPortZero: false }),
  weight: z.number().int().min(1).max(128).default(CLUSTER_DEFAULTS.weight),
}).transform(
  (h): HostConfig => ({ address: h.address.address, host: h.address.host, port: h.address.port, weight: h.weight }),
);

export const clusterSchema = mosnObject('cluster', {
  name: nonEmptyString,
  // MOSN turns an unknown type into SIMPLE silently; here it is an error naming the allowed values.
  type: oneOf('cluster type', ['SIMPLE'], MOSN_UNSUPPORTED_VALUES.clusterType).default('SIMPLE'),
  lb_type: oneOf('load balancer type', LB_TYPES, MOSN_UNSUPPORTED_VALUES.lbType).default('LB_ROUNDROBIN'),
  connect_timeout: duration().default(CLUSTER_DEFAULTS.connect_timeout),
  idle_timeout: duration().default(CLUSTER_DEFAULTS.idle_timeout),
  max_request_per_conn: z.number().int().min(0).max(4_294_967_295).default(CLUSTER_DEFAULTS.max_request_per_conn),
  // Zero hosts is a valid cluster: requests routed to it get 503 until hosts appear.
  hosts: z.array(host).default([]),
  health_check: healthCheck.optional(),
  circuit_breakers: circuitBreakers.optional(),
  outlier_detection: outlierDetection.optional(),
  tls_context: tlsContextSchema('cluster').optional(),
}).transform(
  (c): ClusterConfig => ({
    name: c.name,
    type: c.type,
    lb_type: c.lb_type,
    connect_timeout: c.connect_timeout,
    idle_timeout: c.idle_timeout,
    max_request_per_conn: c.max_request_per_conn,
    hosts: c.hosts,
    // Set only when configured, so that configs without them compare equal to before.
    ...(c.health_check === undefined ? {} : { health_check: c.health_check }),
    ...(c.circuit_breakers === undefined ? {} : { circuit_breakers: c.circuit_breakers }),
    ...(c.outlier_detection === undefined ? {} : { outlier_detection: c.outlier_detection }),
    ...(c.tls_context === undefined ? {} : { tls_context: c.tls_context }),
  }),
);

export const clusterManagerSchema = mosnObject('clusterManager', {
  clusters: z.array(clusterSchema).default([]),
}).transform((m) => m.clusters);
