/**
 * Error logging that cannot flood stderr: a full disk fails every batch of every worker, but the
 * operator needs one line per problem and path every few seconds, with how many were left out.
 * (The counters in the stats are exact; only the log lines are thinned.)
 */
import type { PluginLogger } from '@mosn/plugin-sdk';

const MAX_KEYS = 1024;

export class ThrottledLog {
  readonly #logger: PluginLogger;
  readonly #intervalMs: number;
  readonly #last = new Map<string, { at: number; suppressed: number }>();

  constructor(logger: PluginLogger, intervalMs = 10_000) {
    this.#logger = logger;
    this.#intervalMs = intervalMs;
  }

  /** Logs unless the same `key` was logged less than the interval ago (then counts it). */
  log(level: 'warn' | 'error', key: string, fields: Record<string, unknown>, message: string): void {
    const now = Date.now();
    const last = this.#last.get(key);
    if (last !== undefined && now - last.at < this.#intervalMs) {
      last.suppressed++;
      return;
    }
    if (this.#last.size >= MAX_KEYS) this.#last.clear();
    this.#last.set(key, { at: now, suppressed: 0 });
    const suppressed = last?.suppressed ?? 0;
    this.#logger[level](suppressed > 0 ? { ...fields, suppressed } : fields, message);
  }
}
