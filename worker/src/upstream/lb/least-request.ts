// LB_LEAST_REQUEST: the power of two choices. Two different hosts are drawn at random and the one
// with fewer requests in flight wins (per unit of weight, when weights differ). Cheaper than
// scanning every host, and it avoids the herd that "always the least loaded" sends to one host
// whose counters lag.

import { type HostSet, type LoadBalancer, countUsable, nthUsable, randomIndex } from './load-balancer.js';

export class LeastRequest implements LoadBalancer {
  pick(hosts: HostSet): number {
    const n = hosts.size;
    if (n === 0) return -1;
    let a: number;
    let b: number;
    if (hosts.allUsable) {
      if (n === 1) return 0;
      a = randomIndex(n);
      b = randomIndex(n - 1);
      if (b >= a) b++;
    } else {
      const usable = countUsable(hosts);
      if (usable <= 1) return usable === 0 ? -1 : nthUsable(hosts, 0);
      const ka = randomIndex(usable);
      let kb = randomIndex(usable - 1);
      if (kb >= ka) kb++;
      a = nthUsable(hosts, ka);
      b = nthUsable(hosts, kb);
    }
    const wa = hosts.weight(a);
    const wb = hosts.weight(b);
    const la = hosts.activeRequests(a);
    const lb = hosts.activeRequests(b);
    if (wa === wb) return lb < la ? b : a;
    // Fewer requests per unit of weight wins: la/wa vs lb/wb, without dividing.
    return lb * wa < la * wb ? b : a;
  }
}
