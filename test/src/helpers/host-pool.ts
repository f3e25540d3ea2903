// A set of named HTTP upstreams for load-balancing tests: each answers with its name, counts the
// requests it got (by path prefix), and can be made slow, failing, or unhealthy on its health path.
import http from 'node:http';
import type { TestContext } from 'node:test';
import { startHttpUpstream, type Upstream } from './upstream.js';

export interface PoolHost {
  name: string;
  upstream: Upstream;
  address: string;
  /** Requests served, by the first path segment ("/rr/x" → "rr"). */
  hits: Map<string, number>;
  /** Applied to every request but the health path: delay, then status. */
  delayMs: number;
  status: number;
  /** Status of GET /health. */
  healthStatus: number;
  healthChecks: number;
  /** Requests being served right now. */
  inFlight: number;
}

export async function startHostPool(t: TestContext, names: readonly string[]): Promise<PoolHost[]> {
  return Promise.all(
    names.map(async (name) => {
      const host = { name, hits: new Map<string, number>(), delayMs: 0, status: 200, healthStatus: 200, healthChecks: 0, inFlight: 0 } as PoolHost;
      const handler: http.RequestListener = (req, res) => {
        const url = req.url ?? '/';
        if (url === '/health') {
          host.healthChecks++;
          res.statusCode = host.healthStatus;
          res.end();
          return;
        }
        const group = url.split('/')[1] ?? '';
        host.hits.set(group, (host.hits.get(group) ?? 0) + 1);
        host.inFlight++;
        const answer = () => {
          host.inFlight--;
          res.statusCode = host.status;
          res.end(name);
        };
        if (host.delayMs > 0) setTimeout(answer, host.delayMs);
        else answer();
      };
      host.upstream = await startHttpUpstream(t, handler);
      host.address = host.upstream.address;
      return host;
    }),
  );
}

/** Hits of `group` per host, in the pool's order. */
export function hitsOf(hosts: readonly PoolHost[], group: string): number[] {
  return hosts.map((h) => h.hits.get(group) ?? 0);
}
