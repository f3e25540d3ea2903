// Cross-reference check for a route's `hash_policy`: it only means something when the route's
// cluster balances by hash (LB_MAGLEV). Anywhere else it would be silently ignored, so it is an error.
// Runs on the raw data, like the other cross-reference checks; wrong types are left to the schema.

import type { RawIssue } from './cross-references.js';
import { isRecord } from './schema/common.js';
import { HASHING_LB_TYPES } from './schema/cluster.js';
import type { LbType } from './types.js';

export function hashPolicyIssues(action: Record<string, unknown>, actionPath: PropertyKey[], clusterManager: unknown, issues: RawIssue[]): void {
  const policy = action['hash_policy'];
  if (!Array.isArray(policy) || policy.length === 0) return;
  const targets: string[] = [];
  if (typeof action['cluster_name'] === 'string') targets.push(action['cluster_name']);
  const weighted = action['weighted_clusters'];
  if (Array.isArray(weighted)) {
    for (const w of weighted) {
      const inner: unknown = isRecord(w) && isRecord(w['cluster']) ? w['cluster'] : w;
      if (isRecord(inner) && typeof inner['name'] === 'string') targets.push(inner['name']);
    }
  }
  const clusters = isRecord(clusterManager) && Array.isArray(clusterManager['clusters']) ? clusterManager['clusters'] : [];
  for (const name of targets) {
    const cluster: unknown = clusters.find((c: unknown) => isRecord(c) && c['name'] === name);
    if (!isRecord(cluster)) continue; // an undefined cluster is reported by the reference check
    const lbType = cluster['lb_type'] ?? 'LB_ROUNDROBIN';
    if (typeof lbType !== 'string' || HASHING_LB_TYPES.includes(lbType as LbType)) continue;
    issues.push({
      path: [...actionPath, 'hash_policy'],
      message:
        `hash_policy needs a cluster whose lb_type hashes (${HASHING_LB_TYPES.map((t) => JSON.stringify(t)).join(', ')}); ` +
        `cluster ${JSON.stringify(name)} has lb_type ${JSON.stringify(lbType)}`,
    });
  }
}
