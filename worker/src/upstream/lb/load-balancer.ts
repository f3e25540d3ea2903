// The load balancers of `lb_type`, behind one small interface. A balancer only chooses an index;
// which hosts may be chosen (health, outlier ejection, hosts a retry already tried) is the host
// set's business, so every balancer honours the same rules without knowing them.

import type { LbType } from '@mosn/config';
import { LeastRequest } from './least-request.js';
import { Maglev } from './maglev.js';
import { RandomBalancer } from './random.js';
import { RoundRobinBalancer, WeightedRoundRobinBalancer } from './round-robin-balancer.js';

/** The hosts of a cluster as a balancer sees them, by index. */
export interface HostSet {
  readonly size: number;
  /** True when every host may be chosen: balancers take their fast path and skip `usable`. */
  readonly allUsable: boolean;
  usable(index: number): boolean;
  weight(index: number): number;
  /** Requests in flight to the host (LB_LEAST_REQUEST). */
  activeRequests(index: number): number;
}

export interface LoadBalancer {
  /** Index of a usable host, or -1 when none is. `hashKey` matters to hashing balancers only. */
  pick(hosts: HostSet, hashKey: string | undefined): number;
}

/** Balancers that choose by the request's hash key (a route's `hash_policy`). */
export function usesHashKey(type: LbType): boolean {
  return type === 'LB_MAGLEV';
}

/**
 * A balancer for `type` over hosts with these weights and names (addresses; a hashing balancer
 * places hosts by name, so that its table survives changes to the rest of the host list).
 */
export function createLoadBalancer(type: LbType, weights: readonly number[], names: readonly string[]): LoadBalancer {
  switch (type) {
    case 'LB_ROUNDROBIN':
      return new RoundRobinBalancer();
    case 'LB_WEIGHTED_ROUNDROBIN':
      return new WeightedRoundRobinBalancer(weights);
    case 'LB_RANDOM':
      return new RandomBalancer();
    case 'LB_LEAST_REQUEST':
      return new LeastRequest();
    case 'LB_MAGLEV':
      return new Maglev(names, weights);
  }
}

/** The index of the k-th (0-based) usable host, or -1. For balancers on their slow path. */
export function nthUsable(hosts: HostSet, k: number): number {
  for (let i = 0, seen = 0; i < hosts.size; i++) {
    if (!hosts.usable(i)) continue;
    if (seen === k) return i;
    seen++;
  }
  return -1;
}

export function countUsable(hosts: HostSet): number {
  if (hosts.allUsable) return hosts.size;
  let n = 0;
  for (let i = 0; i < hosts.size; i++) if (hosts.usable(i)) n++;
  return n;
}

/** 0 ≤ result < n. */
export function randomIndex(n: number): number {
  return Math.floor(Math.random() * n);
}
