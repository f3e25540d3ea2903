// LB_ROUNDROBIN: hosts in turn, weights ignored (MOSN's meaning). LB_WEIGHTED_ROUNDROBIN: nginx's
// smooth weighted round robin (see ../round-robin.ts), over the hosts that may be chosen.

import { RoundRobin } from '../round-robin.js';
import type { HostSet, LoadBalancer } from './load-balancer.js';

export class RoundRobinBalancer implements LoadBalancer {
  private next = 0;

  pick(hosts: HostSet): number {
    const n = hosts.size;
    if (n === 0) return -1;
    for (let tries = 0; tries < n; tries++) {
      const i = this.next % n;
      this.next = i + 1 === n ? 0 : i + 1;
      if (hosts.allUsable || hosts.usable(i)) return i;
    }
    return -1;
  }
}

export class WeightedRoundRobinBalancer implements LoadBalancer {
  private readonly rr: RoundRobin;

  constructor(weights: readonly number[]) {
    this.rr = new RoundRobin(weights);
  }

  pick(hosts: HostSet): number {
    return hosts.allUsable ? this.rr.pick() : this.rr.pick((i) => hosts.usable(i));
  }
}
