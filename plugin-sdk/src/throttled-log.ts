/**
 * Log lines that cannot flood stderr: a backend that is down fails every call, a full disk every
 * batch, a bad sender every report. The operator needs one line per problem (per `key`) every
 * interval, saying how many like it were left out; counters elsewhere stay exact.
 */
import type { PluginLogger } from './types.js';

export interface ThrottledLogOptions {
  /** At most one line per key this often. Default 10 000 ms. */
  readonly intervalMs?: number;
  /** The clock (tests pass their own). Default `Date.now`. */
  readonly now?: () => number;
}

// Keys usually name a problem and a path or pid; a bound keeps a stream of distinct keys from
// growing the map without limit (it is cleared, which at worst lets one line per key through).
const MAX_KEYS = 1024;

export class ThrottledLog {
  readonly #logger: PluginLogger;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #last = new Map<string, { at: number; suppressed: number }>();

  constructor(logger: PluginLogger, options: ThrottledLogOptions = {}) {
    this.#logger = logger;
    this.#intervalMs = options.intervalMs ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Logs unless a line with the same `key` went out less than the interval ago (then only counts
   * it). The line after a quiet spell carries `suppressed`: how many were left out meanwhile.
   */
  log(level: 'warn' | 'error', key: string, fields: Record<string, unknown>, message: string): void {
    const now = this.#now();
    const last = this.#last.get(key);
    if (last !== undefined && now - last.at < this.#intervalMs) {
      last.suppressed++;
      return;
    }
    if (this.#last.size >= MAX_KEYS) this.#last.clear();
    this.#last.set(key, { at: now, suppressed: 0 });
    const suppressed = last?.suppressed ?? 0;
    this.#logger[level](suppressed > 0 ? { ...fields, suppressed } : fields, suppressed > 0 ? `${message} (and ${suppressed} more like it left out)` : message);
  }
}
