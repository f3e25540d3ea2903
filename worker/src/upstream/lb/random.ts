// LB_RANDOM: a host chosen uniformly at random (weights ignored, as in MOSN).

import { type HostSet, type LoadBalancer, countUsable, nthUsable, randomIndex } from './load-balancer.js';

export class RandomBalancer implements LoadBalancer {
  pick(hosts: HostSet): number {
    const n = hosts.size;
    if (n === 0) return -1;
    if (hosts.allUsable) return randomIndex(n);
    const usable = countUsable(hosts);
    return usable === 0 ? -1 : nthUsable(hosts, randomIndex(usable));
  }
}
