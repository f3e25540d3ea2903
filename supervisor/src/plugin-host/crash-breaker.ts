/**
 * Opens after `maxCrashes` crashes within `windowMs` (a crash loop): the plugin is then left
 * `failed` until an operator restarts it, instead of burning CPU and log lines forever.
 */
export class CrashBreaker {
  #crashes: number[] = [];

  constructor(
    private readonly maxCrashes = 5,
    private readonly windowMs = 60_000,
  ) {}

  /** Records a crash; true when the breaker is now open. */
  record(now = Date.now()): boolean {
    this.#crashes = [...this.#crashes.filter((t) => now - t < this.windowMs), now];
    return this.#crashes.length >= this.maxCrashes;
  }

  reset(): void {
    this.#crashes = [];
  }

  get recent(): number {
    return this.#crashes.length;
  }
}
