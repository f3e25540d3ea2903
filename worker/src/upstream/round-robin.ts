// LB_ROUNDROBIN: hosts in turn. With equal weights a counter; with different weights the smooth
// weighted round robin of nginx (each pick adds every host's weight to its score, takes the
// highest, subtracts the total), which interleaves hosts instead of sending bursts to one.

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

  /** Index of the next host, or -1 when there is none. */
  pick(): number {
    const n = this.weights.length;
    if (n === 0) return -1;
    if (!this.weighted) {
      const i = this.next;
      this.next = i + 1 === n ? 0 : i + 1;
      return i;
    }
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
    return best;
  }
}
