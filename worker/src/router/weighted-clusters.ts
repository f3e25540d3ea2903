// weighted_clusters: a cluster per request in proportion to the weights, with nginx's smooth
// weighted round robin (each pick adds every weight to its score, takes the highest, subtracts
// the total): exact proportions over every `total` picks, interleaved rather than in bursts.
// One picker per route per worker; zero weights never get picked.

import type { WeightedClusterConfig } from '@mosn/config';

export class WeightedClusterPicker {
  private readonly names: readonly string[];
  private readonly weights: readonly number[];
  private readonly scores: number[];
  private readonly total: number;

  constructor(clusters: readonly WeightedClusterConfig[]) {
    const used = clusters.filter((c) => c.weight > 0);
    this.names = used.map((c) => c.name);
    this.weights = used.map((c) => c.weight);
    this.scores = used.map(() => 0);
    this.total = this.weights.reduce((a, b) => a + b, 0);
  }

  /** The next cluster name; '' when every weight is 0 (the config loader refuses that). */
  pick(): string {
    const n = this.weights.length;
    if (n < 2) return this.names[0] ?? '';
    let best = 0;
    let bestScore = -Infinity;
    for (let i = 0; i < n; i++) {
      const s = (this.scores[i] as number) + (this.weights[i] as number);
      this.scores[i] = s;
      if (s > bestScore) {
        bestScore = s;
        best = i;
      }
    }
    this.scores[best] = bestScore - this.total;
    return this.names[best] as string;
  }
}
