/**
 * Counters in this process. Every worker of the machine asks this one plugin process, and a
 * call runs to completion before the next (one thread, no await between read and write), so
 * counts are exact across workers.
 *
 * Memory stays bounded: each unit keeps only its current window. The first hit of a new window
 * drops the previous window's counters of that unit at once, so at most four windows (one per
 * unit) are held, each with one counter per distinct descriptor seen in it.
 */
import type { Counter, CounterBackend } from './counter-backend.js';
import { RATE_LIMIT_ERROR_CODES, RateLimitError } from './errors.js';

interface Window {
  readonly startMs: number;
  readonly counts: Map<string, number>;
}

export class MemoryBackend implements CounterBackend {
  readonly kind = 'memory';
  /** unit in ms → its current window */
  readonly #windows = new Map<number, Window>();

  constructor(private readonly maxCounters = 100_000) {}

  increment(counters: readonly Counter[], hits: number): number[] {
    const counts = new Array<number>(counters.length);
    for (let i = 0; i < counters.length; i++) {
      const counter = counters[i] as Counter;
      const window = this.#window(counter.unitMs, counter.windowStartMs);
      const previous = window.counts.get(counter.key);
      if (previous === undefined && this.size >= this.maxCounters) {
        // The filter's failure mode decides (open by default), and the plugin logs it.
        throw new RateLimitError(
          RATE_LIMIT_ERROR_CODES.backendFailed,
          `memory backend: expected at most ${this.maxCounters} counters (max_counters), found that many already; not counting a new descriptor`,
        );
      }
      const count = (previous ?? 0) + hits;
      window.counts.set(counter.key, count);
      counts[i] = count;
    }
    return counts;
  }

  /** Counters held now (all units). */
  get size(): number {
    let size = 0;
    for (const window of this.#windows.values()) size += window.counts.size;
    return size;
  }

  close(): Promise<void> {
    this.#windows.clear();
    return Promise.resolve();
  }

  #window(unitMs: number, startMs: number): Window {
    const current = this.#windows.get(unitMs);
    // An older start means the clock stepped back: keep counting in the newer window (never
    // hand out a fresh allowance because of a clock adjustment).
    if (current !== undefined && current.startMs >= startMs) return current;
    const window: Window = { startMs, counts: new Map() };
    this.#windows.set(unitMs, window);
    return window;
  }
}
