/**
 * Jittered exponential backoff for restarting crashed processes: 100 ms, 200 ms, 400 ms, … capped,
 * each delay spread ±20% so that workers that crash together do not restart in lockstep.
 * A process that stayed up for `resetAfterMs` starts again from the first step.
 */
export class Backoff {
  #attempt = 0;

  constructor(
    private readonly baseMs = 100,
    private readonly maxMs = 30_000,
    private readonly resetAfterMs = 60_000,
  ) {}

  /** The delay before the next restart of a process that ran for `uptimeMs`. */
  next(uptimeMs: number): number {
    if (uptimeMs >= this.resetAfterMs) this.#attempt = 0;
    const raw = Math.min(this.maxMs, this.baseMs * 2 ** this.#attempt);
    this.#attempt += 1;
    const jitter = 0.8 + Math.random() * 0.4;
    return Math.round(Math.min(this.maxMs, raw * jitter));
  }

  reset(): void {
    this.#attempt = 0;
  }

  get attempts(): number {
    return this.#attempt;
  }
}
