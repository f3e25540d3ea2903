// Weighted round robin (LB_WEIGHTED_ROUNDROBIN). With equal weights a counter; with different
// weights the smooth weighted round robin of nginx (each pick adds every host's weight to its
// score, takes the highest, subtracts the total), which interleaves hosts instead of sending
// bursts to one. Hosts that may not be chosen sit out (their scores do not move), as in nginx.

export class RoundRobin {
  private next = 0;
  private readonly weights: number[];
  private readonly scores: number[];
  private readonly total: number;
  private readonly weighted: boolean;

  constructor(weights: readonly number[]) {
    this.weights = weights.map((w) => (Number.isFinite(w) && w > 0 ? Math.floor(w) : 1));
    this.scores = this.weights.map(() => 0);
    this.total = this.weights.reduce((a, b) => a + b, 0);
    this.weighted = this.weights.some((w) => w !== this.weights[0]);
  }

  get size(): number {
    return this.weights.length;
  }

  /** Index of the next host, or -1 when there is none (or none that `usable` accepts). */
  pick(usable?: (index: number) => boolean): number {
    const n = this.weights.length;
    if (n === 0) return -1;
    if (!this.weighted) {
      for (let tries = 0; tries < n; tries++) {
        const i = this.next;
        this.next = i + 1 === n ? 0 : i + 1;
        if (usable === undefined || usable(i)) return i;
      }
      return -1;
    }
    let best = -1;
    let bestScore = -Infinity;
    let total = 0;
    for (let i = 0; i < n; i++) {
      if (usable !== undefined && !usable(i)) continue;
      const w = this.weights[i] as number;
      const s = (this.scores[i] as number) + w;
      this.scores[i] = s;
      total += w;
      if (s > bestScore) {
        bestScore = s;
        best = i;
      }
    }
    if (best >= 0) this.scores[best] = bestScore - (usable === undefined ? this.total : total);
    return best;
  }
}
