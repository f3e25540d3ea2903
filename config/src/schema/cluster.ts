// cluster_manager.clusters[]: named groups of upstream hosts with their connection settings.

import { z } from 'zod';
import type { ClusterConfig, HostConfig } from '../types.js';
import { MOSN_UNSUPPORTED_VALUES } from '../mosn-keys.js';
import { address, duration, mosnObject, nonEmptyString, oneOf } from './common.js';

/** Defaults, named so that README and tests say the same thing as the code. */
export const CLUSTER_DEFAULTS = Object.freeze({
  connect_timeout: 3_000,
  idle_timeout: 90_000,
  max_request_per_conn: 0,
  weight: 1,
});

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
  lb_type: oneOf('load balancer type', ['LB_ROUNDROBIN'], MOSN_UNSUPPORTED_VALUES.lbType).default('LB_ROUNDROBIN'),
  connect_timeout: duration().default(CLUSTER_DEFAULTS.connect_timeout),
  idle_timeout: duration().default(CLUSTER_DEFAULTS.idle_timeout),
  max_request_per_conn: z.number().int().min(0).max(4_294_967_295).default(CLUSTER_DEFAULTS.max_request_per_conn),
  // Zero hosts is a valid cluster: requests routed to it get 503 until hosts appear.
  hosts: z.array(host).default([]),
}).transform(
  (c): ClusterConfig => ({
    name: c.name,
    type: c.type,
    lb_type: c.lb_type,
    connect_timeout: c.connect_timeout,
    idle_timeout: c.idle_timeout,
    max_request_per_conn: c.max_request_per_conn,
    hosts: c.hosts,
  }),
);

export const clusterManagerSchema = mosnObject('clusterManager', {
  clusters: z.array(clusterSchema).default([]),
}).transform((m) => m.clusters);
